// metadata.json parsing and host-binary placement, against the real-world corpus
// (tests/data/corpus/extensions, see its SOURCES.md) and against hostile or broken files.

#include <catch2/catch.hpp>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "deskext/extension/metadata.hpp"

namespace {

using deskext::ErrorCode;
using deskext::extension::BinaryPlacement;
using deskext::extension::host_binaries_for;
using deskext::extension::Metadata;
using deskext::extension::normalize_image_path;
using deskext::extension::parse_metadata;
using Pairs = std::vector<std::pair<std::string, std::string>>;

std::string read_corpus(std::string_view extension) {
    const std::filesystem::path file =
        std::filesystem::path(DESKEXT_CORPUS_DIR) / extension / "metadata.json";
    std::ifstream in(file, std::ios::binary);
    REQUIRE(in.good());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Metadata parse_corpus(std::string_view extension) {
    auto parsed = parse_metadata(read_corpus(extension));
    INFO(extension);
    REQUIRE(parsed.has_value());
    return std::move(*parsed);
}

Pairs placements(const Metadata& metadata, std::string_view os,
                 std::vector<std::string>* notes = nullptr) {
    auto result = host_binaries_for(metadata, os, notes);
    INFO(os);
    REQUIRE(result.has_value());
    Pairs out;
    for (const BinaryPlacement& placement : *result) {
        out.emplace_back(placement.image_path, placement.dest);
    }
    return out;
}

// The error message of a metadata.json that must be refused as invalid_extension.
std::string refusal(std::string_view json) {
    auto parsed = parse_metadata(json);
    INFO(json);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().code == ErrorCode::invalid_extension);
    return parsed.error().message;
}

// The error of host_binaries_for for one "host.binaries" declaration.
deskext::Error placement_error(std::string_view binaries, std::string_view os) {
    auto parsed =
        parse_metadata(std::string(R"({"host": {"binaries": )") + std::string(binaries) + "}}");
    REQUIRE(parsed.has_value());
    auto result = host_binaries_for(*parsed, os);
    INFO(binaries);
    REQUIRE_FALSE(result.has_value());
    return result.error();
}

Metadata with_binaries(std::string_view binaries) {
    auto parsed =
        parse_metadata(std::string(R"({"host": {"binaries": )") + std::string(binaries) + "}}");
    INFO(binaries);
    REQUIRE(parsed.has_value());
    return std::move(*parsed);
}

}  // namespace

TEST_CASE("extension: every corpus metadata.json parses", "[extension]") {
    for (const char* name :
         {"aluedeke__mobile-docker-extension", "docker__extensions-sdk",
          "docker__volumes-backup-extension", "gefyrahq__gefyra-docker-desktop-extension",
          "kubescape__docker-desktop-extension", "localstack__localstack-docker-extension",
          "loft-sh__vcluster-dd-extension", "okteto__docker-desktop-extension",
          "rancher-sandbox__epinio-desktop-extension", "tailscale__docker-extension"}) {
        const Metadata metadata = parse_corpus(name);
        INFO(name);
        CHECK(metadata.icon.has_value());
        REQUIRE(metadata.dashboard_tab.has_value());
        CHECK_FALSE(metadata.dashboard_tab->title.empty());
        CHECK(metadata.dashboard_tab->src == "index.html");
        for (const char* os : {"darwin", "windows", "linux"}) {
            CHECK(host_binaries_for(metadata, os).has_value());
        }
    }
}

TEST_CASE("extension: corpus fields are read and normalised", "[extension]") {
    const Metadata okteto = parse_corpus("okteto__docker-desktop-extension");
    CHECK(okteto.icon == "okteto.svg");
    CHECK(okteto.dashboard_tab->title == "Okteto");
    CHECK(okteto.dashboard_tab->root == "ui");  // declared "/ui"
    CHECK_FALSE(okteto.dashboard_tab->backend_socket.has_value());
    CHECK_FALSE(okteto.vm.has_value());

    const Metadata backup = parse_corpus("docker__volumes-backup-extension");
    CHECK(backup.icon == "icon.svg");
    CHECK(backup.dashboard_tab->title == "Volumes Backup & Share");
    CHECK(backup.dashboard_tab->backend_socket == "ext.sock");
    REQUIRE(backup.vm.has_value());
    CHECK(backup.vm->composefile == "docker-compose.yaml");
    CHECK_FALSE(backup.vm->image.has_value());
    CHECK(backup.vm->exposes_socket == "ext.sock");

    const Metadata tailscale = parse_corpus("tailscale__docker-extension");
    REQUIRE(tailscale.vm.has_value());
    CHECK(tailscale.vm->composefile == "docker-compose.yaml");
    CHECK_FALSE(tailscale.vm->exposes_socket.has_value());

    const Metadata gefyra = parse_corpus("gefyrahq__gefyra-docker-desktop-extension");
    CHECK(gefyra.dashboard_tab->root == "build");
    REQUIRE(gefyra.host_binaries.at("windows").size() == 299);
    CHECK(gefyra.host_binaries.at("windows")[0].path == "windows");
    CHECK(gefyra.host_binaries.at("windows")[0].directory);
    CHECK(gefyra.host_binaries.at("windows")[2].path == "windows/lib");
    CHECK(gefyra.host_binaries.at("windows")[2].directory);
    CHECK_FALSE(gefyra.host_binaries.at("windows")[1].directory);
}

TEST_CASE("extension: corpus placements per OS", "[extension]") {
    SECTION("aluedeke: no linux entry; darwin binary and helper script") {
        const Metadata m = parse_corpus("aluedeke__mobile-docker-extension");
        CHECK(placements(m, "darwin") ==
              Pairs{{"host/darwin/mobile-relay", "mobile-relay"},
                    {"scripts/launchctl-helper.sh", "launchctl-helper.sh"}});
        CHECK(placements(m, "windows") ==
              Pairs{{"host/windows/mobile-relay.exe", "mobile-relay.exe"},
                    {"scripts/startup-helper.ps1", "startup-helper.ps1"}});
        CHECK(placements(m, "linux").empty());
    }
    SECTION("docker extensions-sdk kubernetes sample") {
        const Metadata m = parse_corpus("docker__extensions-sdk");
        CHECK(placements(m, "darwin") == Pairs{{"darwin/kubectl", "kubectl"}});
        CHECK(placements(m, "windows") == Pairs{{"windows/kubectl.exe", "kubectl.exe"}});
        CHECK(placements(m, "linux") == Pairs{{"linux/kubectl", "kubectl"}});
    }
    SECTION("volumes-backup: binaries under host/<os>-amd64/") {
        const Metadata m = parse_corpus("docker__volumes-backup-extension");
        CHECK(placements(m, "darwin") ==
              Pairs{{"host/darwin-amd64/docker-credentials-client", "docker-credentials-client"}});
        CHECK(placements(m, "windows") == Pairs{{"host/windows-amd64/docker-credentials-client.exe",
                                                 "docker-credentials-client.exe"}});
        CHECK(placements(m, "linux") ==
              Pairs{{"host/linux-amd64/docker-credentials-client", "docker-credentials-client"}});
    }
    SECTION("kubescape") {
        const Metadata m = parse_corpus("kubescape__docker-desktop-extension");
        CHECK(placements(m, "darwin") == Pairs{{"darwin/helm", "helm"}});
        CHECK(placements(m, "windows") == Pairs{{"windows/helm.exe", "helm.exe"}});
        CHECK(placements(m, "linux") == Pairs{{"linux/helm", "helm"}});
    }
    SECTION("localstack: both arches and scripts") {
        const Metadata m = parse_corpus("localstack__localstack-docker-extension");
        CHECK(placements(m, "darwin") ==
              Pairs{{"darwin/checkUser.sh", "checkUser.sh"},
                    {"darwin/localstack-darwin-amd", "localstack-darwin-amd"},
                    {"darwin/localstack-darwin-arm", "localstack-darwin-arm"}});
        CHECK(placements(m, "linux") ==
              Pairs{{"linux/checkUser.sh", "checkUser.sh"},
                    {"linux/localstack-linux-amd", "localstack-linux-amd"},
                    {"linux/localstack-linux-arm", "localstack-linux-arm"}});
        CHECK(placements(m, "windows") ==
              Pairs{{"windows/checkWSLOS.cmd", "checkWSLOS.cmd"},
                    {"windows/checkUser.cmd", "checkUser.cmd"},
                    {"windows/localstack-windows-amd.exe", "localstack-windows-amd.exe"}});
    }
    SECTION("vcluster") {
        const Metadata m = parse_corpus("loft-sh__vcluster-dd-extension");
        CHECK(placements(m, "darwin") ==
              Pairs{{"darwin/kubectl", "kubectl"}, {"darwin/vcluster", "vcluster"}});
        CHECK(placements(m, "windows") == Pairs{{"windows/kubectl.exe", "kubectl.exe"},
                                                {"windows/vcluster.exe", "vcluster.exe"}});
        CHECK(placements(m, "linux") ==
              Pairs{{"linux/kubectl", "kubectl"}, {"linux/vcluster", "vcluster"}});
    }
    SECTION("okteto: its linux list names a path under /windows/") {
        const Metadata m = parse_corpus("okteto__docker-desktop-extension");
        CHECK(placements(m, "darwin") ==
              Pairs{{"darwin/okteto", "okteto"}, {"darwin/okteto-extension", "okteto-extension"}});
        CHECK(placements(m, "windows") ==
              Pairs{{"windows/okteto.exe", "okteto.exe"},
                    {"windows/okteto-extension.exe", "okteto-extension.exe"}});
        CHECK(placements(m, "linux") ==
              Pairs{{"linux/okteto", "okteto"}, {"windows/okteto-extension", "okteto-extension"}});
    }
    SECTION("epinio") {
        const Metadata m = parse_corpus("rancher-sandbox__epinio-desktop-extension");
        CHECK(placements(m, "darwin") == Pairs{{"darwin/epinio", "epinio"},
                                               {"darwin/helm", "helm"},
                                               {"darwin/kubectl", "kubectl"}});
        CHECK(placements(m, "linux") == Pairs{{"linux/epinio", "epinio"},
                                              {"linux/helm", "helm"},
                                              {"linux/kubectl", "kubectl"}});
        CHECK(placements(m, "windows") == Pairs{{"windows/epinio.exe", "epinio.exe"},
                                                {"windows/helm.exe", "helm.exe"},
                                                {"windows/kubectl.exe", "kubectl.exe"}});
    }
    SECTION("tailscale: shell and .cmd scripts") {
        const Metadata m = parse_corpus("tailscale__docker-extension");
        CHECK(placements(m, "darwin") ==
              Pairs{{"darwin/hostname", "hostname"}, {"darwin/host-tailscale", "host-tailscale"}});
        CHECK(placements(m, "windows") ==
              Pairs{{"windows/hostname.cmd", "hostname.cmd"},
                    {"windows/host-tailscale.cmd", "host-tailscale.cmd"}});
        CHECK(placements(m, "linux") == Pairs{{"linux/hostname.sh", "hostname.sh"},
                                              {"linux/host-tailscale.sh", "host-tailscale.sh"}});
    }
    SECTION("gefyra darwin and linux") {
        const Metadata m = parse_corpus("gefyrahq__gefyra-docker-desktop-extension");
        CHECK(placements(m, "darwin") == Pairs{{"darwin/gefyra-json", "gefyra-json"}});
        CHECK(placements(m, "linux") == Pairs{{"linux/gefyra-json", "gefyra-json"}});
    }
}

TEST_CASE("extension: gefyra windows, a directory with its content listed", "[extension]") {
    const Metadata m = parse_corpus("gefyrahq__gefyra-docker-desktop-extension");
    // The directory /windows/ is copied whole; nested files with a unique basename get their
    // own place as well; nested directories and files whose basename repeats only come with it.
    const Pairs expected{
        {"windows", "windows"},
        {"windows/gefyra-json.exe", "gefyra-json.exe"},
        {"windows/lib/bin/pywin32_postinstall.py", "pywin32_postinstall.py"},
        {"windows/lib/bin/pywin32_testall.py", "pywin32_testall.py"},
        {"windows/lib/bin/__pycache__/pywin32_postinstall.cpython-39.pyc",
         "pywin32_postinstall.cpython-39.pyc"},
        {"windows/lib/bin/__pycache__/pywin32_testall.cpython-39.pyc",
         "pywin32_testall.cpython-39.pyc"},
        {"windows/lib/libcrypto-1_1-x64.dll", "libcrypto-1_1-x64.dll"},
        {"windows/lib/libssl-1_1-x64.dll", "libssl-1_1-x64.dll"},
        {"windows/lib/pythoncom.py", "pythoncom.py"},
        {"windows/lib/pythonwin/pywin/debugger/dbgcon.py", "dbgcon.py"},
        {"windows/lib/pythonwin/pywin/debugger/dbgpyapp.py", "dbgpyapp.py"},
        {"windows/lib/pythonwin/pywin/debugger/debugger.py", "debugger.py"},
        {"windows/lib/pythonwin/pywin/debugger/fail.py", "fail.py"},
        {"windows/lib/pythonwin/pywin/debugger/__pycache__/dbgcon.cpython-39.pyc",
         "dbgcon.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/debugger/__pycache__/dbgpyapp.cpython-39.pyc",
         "dbgpyapp.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/debugger/__pycache__/debugger.cpython-39.pyc",
         "debugger.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/debugger/__pycache__/fail.cpython-39.pyc",
         "fail.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/default.cfg", "default.cfg"},
        {"windows/lib/pythonwin/pywin/Demos/app/basictimerapp.py", "basictimerapp.py"},
        {"windows/lib/pythonwin/pywin/Demos/app/customprint.py", "customprint.py"},
        {"windows/lib/pythonwin/pywin/Demos/app/dlgappdemo.py", "dlgappdemo.py"},
        {"windows/lib/pythonwin/pywin/Demos/app/dojobapp.py", "dojobapp.py"},
        {"windows/lib/pythonwin/pywin/Demos/app/helloapp.py", "helloapp.py"},
        {"windows/lib/pythonwin/pywin/Demos/app/__pycache__/basictimerapp.cpython-39.pyc",
         "basictimerapp.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/app/__pycache__/customprint.cpython-39.pyc",
         "customprint.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/app/__pycache__/dlgappdemo.cpython-39.pyc",
         "dlgappdemo.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/app/__pycache__/dojobapp.cpython-39.pyc",
         "dojobapp.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/app/__pycache__/helloapp.cpython-39.pyc",
         "helloapp.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/cmdserver.py", "cmdserver.py"},
        {"windows/lib/pythonwin/pywin/Demos/createwin.py", "createwin.py"},
        {"windows/lib/pythonwin/pywin/Demos/dibdemo.py", "dibdemo.py"},
        {"windows/lib/pythonwin/pywin/Demos/dlgtest.py", "dlgtest.py"},
        {"windows/lib/pythonwin/pywin/Demos/dyndlg.py", "dyndlg.py"},
        {"windows/lib/pythonwin/pywin/Demos/fontdemo.py", "fontdemo.py"},
        {"windows/lib/pythonwin/pywin/Demos/guidemo.py", "guidemo.py"},
        {"windows/lib/pythonwin/pywin/Demos/hiertest.py", "hiertest.py"},
        {"windows/lib/pythonwin/pywin/Demos/menutest.py", "menutest.py"},
        {"windows/lib/pythonwin/pywin/Demos/objdoc.py", "objdoc.py"},
        {"windows/lib/pythonwin/pywin/Demos/ocx/flash.py", "flash.py"},
        {"windows/lib/pythonwin/pywin/Demos/ocx/msoffice.py", "msoffice.py"},
        {"windows/lib/pythonwin/pywin/Demos/ocx/ocxserialtest.py", "ocxserialtest.py"},
        {"windows/lib/pythonwin/pywin/Demos/ocx/ocxtest.py", "ocxtest.py"},
        {"windows/lib/pythonwin/pywin/Demos/ocx/webbrowser.py", "webbrowser.py"},
        {"windows/lib/pythonwin/pywin/Demos/ocx/__pycache__/flash.cpython-39.pyc",
         "flash.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/ocx/__pycache__/msoffice.cpython-39.pyc",
         "msoffice.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/ocx/__pycache__/ocxserialtest.cpython-39.pyc",
         "ocxserialtest.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/ocx/__pycache__/ocxtest.cpython-39.pyc",
         "ocxtest.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/ocx/__pycache__/webbrowser.cpython-39.pyc",
         "webbrowser.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/openGLDemo.py", "openGLDemo.py"},
        {"windows/lib/pythonwin/pywin/Demos/progressbar.py", "progressbar.py"},
        {"windows/lib/pythonwin/pywin/Demos/sliderdemo.py", "sliderdemo.py"},
        {"windows/lib/pythonwin/pywin/Demos/splittst.py", "splittst.py"},
        {"windows/lib/pythonwin/pywin/Demos/threadedgui.py", "threadedgui.py"},
        {"windows/lib/pythonwin/pywin/Demos/toolbar.py", "toolbar.py"},
        {"windows/lib/pythonwin/pywin/Demos/__pycache__/cmdserver.cpython-39.pyc",
         "cmdserver.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/__pycache__/createwin.cpython-39.pyc",
         "createwin.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/__pycache__/dibdemo.cpython-39.pyc",
         "dibdemo.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/__pycache__/dlgtest.cpython-39.pyc",
         "dlgtest.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/__pycache__/dyndlg.cpython-39.pyc",
         "dyndlg.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/__pycache__/fontdemo.cpython-39.pyc",
         "fontdemo.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/__pycache__/guidemo.cpython-39.pyc",
         "guidemo.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/__pycache__/hiertest.cpython-39.pyc",
         "hiertest.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/__pycache__/menutest.cpython-39.pyc",
         "menutest.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/__pycache__/objdoc.cpython-39.pyc",
         "objdoc.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/__pycache__/openGLDemo.cpython-39.pyc",
         "openGLDemo.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/__pycache__/progressbar.cpython-39.pyc",
         "progressbar.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/__pycache__/sliderdemo.cpython-39.pyc",
         "sliderdemo.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/__pycache__/splittst.cpython-39.pyc",
         "splittst.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/__pycache__/threadedgui.cpython-39.pyc",
         "threadedgui.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/Demos/__pycache__/toolbar.cpython-39.pyc",
         "toolbar.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/dialogs/ideoptions.py", "ideoptions.py"},
        {"windows/lib/pythonwin/pywin/dialogs/list.py", "list.py"},
        {"windows/lib/pythonwin/pywin/dialogs/login.py", "login.py"},
        {"windows/lib/pythonwin/pywin/dialogs/status.py", "status.py"},
        {"windows/lib/pythonwin/pywin/dialogs/__pycache__/ideoptions.cpython-39.pyc",
         "ideoptions.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/dialogs/__pycache__/list.cpython-39.pyc",
         "list.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/dialogs/__pycache__/login.cpython-39.pyc",
         "login.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/dialogs/__pycache__/status.cpython-39.pyc",
         "status.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/docking/DockingBar.py", "DockingBar.py"},
        {"windows/lib/pythonwin/pywin/docking/__pycache__/DockingBar.cpython-39.pyc",
         "DockingBar.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/app.py", "app.py"},
        {"windows/lib/pythonwin/pywin/framework/bitmap.py", "bitmap.py"},
        {"windows/lib/pythonwin/pywin/framework/cmdline.py", "cmdline.py"},
        {"windows/lib/pythonwin/pywin/framework/dbgcommands.py", "dbgcommands.py"},
        {"windows/lib/pythonwin/pywin/framework/dlgappcore.py", "dlgappcore.py"},
        {"windows/lib/pythonwin/pywin/framework/editor/color/coloreditor.py", "coloreditor.py"},
        {"windows/lib/pythonwin/pywin/framework/editor/color/__pycache__/"
         "coloreditor.cpython-39.pyc",
         "coloreditor.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/editor/editor.py", "editor.py"},
        {"windows/lib/pythonwin/pywin/framework/editor/frame.py", "frame.py"},
        {"windows/lib/pythonwin/pywin/framework/editor/ModuleBrowser.py", "ModuleBrowser.py"},
        {"windows/lib/pythonwin/pywin/framework/editor/template.py", "template.py"},
        {"windows/lib/pythonwin/pywin/framework/editor/vss.py", "vss.py"},
        {"windows/lib/pythonwin/pywin/framework/editor/__pycache__/editor.cpython-39.pyc",
         "editor.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/editor/__pycache__/frame.cpython-39.pyc",
         "frame.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/editor/__pycache__/ModuleBrowser.cpython-39.pyc",
         "ModuleBrowser.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/editor/__pycache__/template.cpython-39.pyc",
         "template.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/editor/__pycache__/vss.cpython-39.pyc",
         "vss.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/help.py", "help.py"},
        {"windows/lib/pythonwin/pywin/framework/interact.py", "interact.py"},
        {"windows/lib/pythonwin/pywin/framework/intpyapp.py", "intpyapp.py"},
        {"windows/lib/pythonwin/pywin/framework/intpydde.py", "intpydde.py"},
        {"windows/lib/pythonwin/pywin/framework/mdi_pychecker.py", "mdi_pychecker.py"},
        {"windows/lib/pythonwin/pywin/framework/scriptutils.py", "scriptutils.py"},
        {"windows/lib/pythonwin/pywin/framework/sgrepmdi.py", "sgrepmdi.py"},
        {"windows/lib/pythonwin/pywin/framework/startup.py", "startup.py"},
        {"windows/lib/pythonwin/pywin/framework/stdin.py", "stdin.py"},
        {"windows/lib/pythonwin/pywin/framework/toolmenu.py", "toolmenu.py"},
        {"windows/lib/pythonwin/pywin/framework/winout.py", "winout.py"},
        {"windows/lib/pythonwin/pywin/framework/__pycache__/app.cpython-39.pyc",
         "app.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/__pycache__/bitmap.cpython-39.pyc",
         "bitmap.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/__pycache__/cmdline.cpython-39.pyc",
         "cmdline.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/__pycache__/dbgcommands.cpython-39.pyc",
         "dbgcommands.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/__pycache__/dlgappcore.cpython-39.pyc",
         "dlgappcore.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/__pycache__/help.cpython-39.pyc",
         "help.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/__pycache__/interact.cpython-39.pyc",
         "interact.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/__pycache__/intpyapp.cpython-39.pyc",
         "intpyapp.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/__pycache__/intpydde.cpython-39.pyc",
         "intpydde.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/__pycache__/mdi_pychecker.cpython-39.pyc",
         "mdi_pychecker.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/__pycache__/scriptutils.cpython-39.pyc",
         "scriptutils.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/__pycache__/sgrepmdi.cpython-39.pyc",
         "sgrepmdi.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/__pycache__/startup.cpython-39.pyc",
         "startup.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/__pycache__/stdin.cpython-39.pyc",
         "stdin.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/__pycache__/toolmenu.cpython-39.pyc",
         "toolmenu.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/framework/__pycache__/winout.cpython-39.pyc",
         "winout.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/idle/AutoExpand.py", "AutoExpand.py"},
        {"windows/lib/pythonwin/pywin/idle/AutoIndent.py", "AutoIndent.py"},
        {"windows/lib/pythonwin/pywin/idle/CallTips.py", "CallTips.py"},
        {"windows/lib/pythonwin/pywin/idle/FormatParagraph.py", "FormatParagraph.py"},
        {"windows/lib/pythonwin/pywin/idle/IdleHistory.py", "IdleHistory.py"},
        {"windows/lib/pythonwin/pywin/idle/PyParse.py", "PyParse.py"},
        {"windows/lib/pythonwin/pywin/idle/__pycache__/AutoExpand.cpython-39.pyc",
         "AutoExpand.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/idle/__pycache__/AutoIndent.cpython-39.pyc",
         "AutoIndent.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/idle/__pycache__/CallTips.cpython-39.pyc",
         "CallTips.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/idle/__pycache__/FormatParagraph.cpython-39.pyc",
         "FormatParagraph.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/idle/__pycache__/IdleHistory.cpython-39.pyc",
         "IdleHistory.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/idle/__pycache__/PyParse.cpython-39.pyc",
         "PyParse.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/IDLE.cfg", "IDLE.cfg"},
        {"windows/lib/pythonwin/pywin/mfc/activex.py", "activex.py"},
        {"windows/lib/pythonwin/pywin/mfc/afxres.py", "afxres.py"},
        {"windows/lib/pythonwin/pywin/mfc/dialog.py", "dialog.py"},
        {"windows/lib/pythonwin/pywin/mfc/docview.py", "docview.py"},
        {"windows/lib/pythonwin/pywin/mfc/object.py", "object.py"},
        {"windows/lib/pythonwin/pywin/mfc/thread.py", "thread.py"},
        {"windows/lib/pythonwin/pywin/mfc/__pycache__/activex.cpython-39.pyc",
         "activex.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/mfc/__pycache__/afxres.cpython-39.pyc",
         "afxres.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/mfc/__pycache__/dialog.cpython-39.pyc",
         "dialog.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/mfc/__pycache__/docview.cpython-39.pyc",
         "docview.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/mfc/__pycache__/object.cpython-39.pyc",
         "object.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/mfc/__pycache__/thread.cpython-39.pyc",
         "thread.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/scintilla/bindings.py", "bindings.py"},
        {"windows/lib/pythonwin/pywin/scintilla/config.py", "config.py"},
        {"windows/lib/pythonwin/pywin/scintilla/control.py", "control.py"},
        {"windows/lib/pythonwin/pywin/scintilla/find.py", "find.py"},
        {"windows/lib/pythonwin/pywin/scintilla/formatter.py", "formatter.py"},
        {"windows/lib/pythonwin/pywin/scintilla/IDLEenvironment.py", "IDLEenvironment.py"},
        {"windows/lib/pythonwin/pywin/scintilla/keycodes.py", "keycodes.py"},
        {"windows/lib/pythonwin/pywin/scintilla/scintillacon.py", "scintillacon.py"},
        {"windows/lib/pythonwin/pywin/scintilla/view.py", "view.py"},
        {"windows/lib/pythonwin/pywin/scintilla/__pycache__/bindings.cpython-39.pyc",
         "bindings.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/scintilla/__pycache__/config.cpython-39.pyc",
         "config.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/scintilla/__pycache__/control.cpython-39.pyc",
         "control.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/scintilla/__pycache__/find.cpython-39.pyc",
         "find.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/scintilla/__pycache__/formatter.cpython-39.pyc",
         "formatter.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/scintilla/__pycache__/IDLEenvironment.cpython-39.pyc",
         "IDLEenvironment.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/scintilla/__pycache__/keycodes.cpython-39.pyc",
         "keycodes.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/scintilla/__pycache__/scintillacon.cpython-39.pyc",
         "scintillacon.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/scintilla/__pycache__/view.cpython-39.pyc",
         "view.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/tools/browseProjects.py", "browseProjects.py"},
        {"windows/lib/pythonwin/pywin/tools/browser.py", "browser.py"},
        {"windows/lib/pythonwin/pywin/tools/hierlist.py", "hierlist.py"},
        {"windows/lib/pythonwin/pywin/tools/regedit.py", "regedit.py"},
        {"windows/lib/pythonwin/pywin/tools/regpy.py", "regpy.py"},
        {"windows/lib/pythonwin/pywin/tools/TraceCollector.py", "TraceCollector.py"},
        {"windows/lib/pythonwin/pywin/tools/__pycache__/browseProjects.cpython-39.pyc",
         "browseProjects.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/tools/__pycache__/browser.cpython-39.pyc",
         "browser.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/tools/__pycache__/hierlist.cpython-39.pyc",
         "hierlist.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/tools/__pycache__/regedit.cpython-39.pyc",
         "regedit.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/tools/__pycache__/regpy.cpython-39.pyc",
         "regpy.cpython-39.pyc"},
        {"windows/lib/pythonwin/pywin/tools/__pycache__/TraceCollector.cpython-39.pyc",
         "TraceCollector.cpython-39.pyc"},
        {"windows/lib/pywin32-306.dist-info/INSTALLER", "INSTALLER"},
        {"windows/lib/pywin32-306.dist-info/METADATA", "METADATA"},
        {"windows/lib/pywin32-306.dist-info/RECORD", "RECORD"},
        {"windows/lib/pywin32-306.dist-info/top_level.txt", "top_level.txt"},
        {"windows/lib/pywin32-306.dist-info/WHEEL", "WHEEL"},
        {"windows/lib/pywin32.pth", "pywin32.pth"},
        {"windows/lib/pywin32.version.txt", "pywin32.version.txt"},
        {"windows/lib/pywin32_system32/pythoncom39.dll", "pythoncom39.dll"},
        {"windows/lib/pywin32_system32/pywintypes39.dll", "pywintypes39.dll"},
        {"windows/lib/win32/lib/pywin32_bootstrap.py", "pywin32_bootstrap.py"},
        {"windows/lib/win32/lib/pywin32_testutil.py", "pywin32_testutil.py"},
        {"windows/lib/win32/lib/pywintypes.py", "pywintypes.py"},
        {"windows/lib/win32/lib/__pycache__/pywin32_bootstrap.cpython-39.pyc",
         "pywin32_bootstrap.cpython-39.pyc"},
        {"windows/lib/win32/lib/__pycache__/pywin32_testutil.cpython-39.pyc",
         "pywin32_testutil.cpython-39.pyc"},
        {"windows/lib/win32/lib/__pycache__/pywintypes.cpython-39.pyc",
         "pywintypes.cpython-39.pyc"},
        {"windows/lib/win32/libs/pywintypes.lib", "pywintypes.lib"},
        {"windows/lib/win32/test/test_pywintypes.py", "test_pywintypes.py"},
        {"windows/lib/win32/test/__pycache__/test_pywintypes.cpython-39.pyc",
         "test_pywintypes.cpython-39.pyc"},
        {"windows/lib/win32/win32api.pyd", "win32api.pyd"},
        {"windows/lib/win32/win32event.pyd", "win32event.pyd"},
        {"windows/lib/win32/win32file.pyd", "win32file.pyd"},
        {"windows/lib/win32/win32pipe.pyd", "win32pipe.pyd"},
        {"windows/lib/win32com/__pycache__/__init__.cpython-39.opt-1.pyc",
         "__init__.cpython-39.opt-1.pyc"},
        {"windows/lib/_ssl.pyd", "_ssl.pyd"},
        {"windows/lib/__pycache__/pythoncom.cpython-39.opt-1.pyc",
         "pythoncom.cpython-39.opt-1.pyc"},
        {"windows/lib/__pycache__/pythoncom.cpython-39.pyc", "pythoncom.cpython-39.pyc"},
        {"windows/python3.dll", "python3.dll"},
        {"windows/python39.dll", "python39.dll"},
        {"windows/README.md", "README.md"},
        {"windows/vcruntime140.dll", "vcruntime140.dll"},
        {"windows/vcruntime140_1.dll", "vcruntime140_1.dll"},
    };
    std::vector<std::string> notes;
    const Pairs actual = placements(m, "windows", &notes);
    CHECK(actual == expected);

    auto result = host_binaries_for(m, "windows");
    REQUIRE(result.has_value());
    REQUIRE_FALSE(result->empty());
    CHECK(result->front().directory);
    for (std::size_t i = 1; i < result->size(); ++i) CHECK_FALSE((*result)[i].directory);

    // 299 entries: 210 placed, 43 nested directories and 46 nested repeated files noted.
    REQUIRE(notes.size() == 89);
    CHECK(notes[0] == "host.binaries windows: /windows/lib/ is installed as part of /windows/");
    const std::string init_note =
        "host.binaries windows: /windows/lib/pythonwin/pywin/debugger/__init__.py is installed "
        "as part of /windows/";
    bool found = false;
    for (const std::string& note : notes) found = found || note.starts_with(init_note);
    CHECK(found);
}

TEST_CASE("extension: nested entries and duplicate basenames", "[extension]") {
    SECTION("a nested file with a unique name is placed, a repeated one only noted") {
        const Metadata m = with_binaries(R"([{"linux": [
            {"path": "/tools/"}, {"path": "/tools/a/run"}, {"path": "/tools/a/x.py"},
            {"path": "/tools/b/x.py"}, {"path": "/tools/b/"}, {"path": "/other/cli"}]}])");
        std::vector<std::string> notes;
        CHECK(placements(m, "linux", &notes) ==
              Pairs{{"tools", "tools"}, {"tools/a/run", "run"}, {"other/cli", "cli"}});
        REQUIRE(notes.size() == 3);
        CHECK(notes[0].starts_with(
            "host.binaries linux: /tools/a/x.py is installed as part of /tools/"));
        CHECK(notes[2] == "host.binaries linux: /tools/b/ is installed as part of /tools/");
    }
    SECTION("two entries that are not nested and share a basename are refused") {
        const auto error = placement_error(
            R"([{"darwin": [{"path": "/a/kubectl"}, {"path": "/b/kubectl"}]}])", "darwin");
        CHECK(error.code == ErrorCode::invalid_extension);
        CHECK(error.message.find("/a/kubectl") != std::string::npos);
        CHECK(error.message.find("/b/kubectl") != std::string::npos);
    }
    SECTION("across binaries elements of the same OS") {
        const auto error = placement_error(
            R"([{"linux": [{"path": "/a/tool"}]}, {"linux": [{"path": "/b/tool"}]}])", "linux");
        CHECK(error.message.find("/a/tool and /b/tool") != std::string::npos);
    }
    SECTION("names differing only in case collide on windows and darwin, not on linux") {
        const std::string decl =
            R"([{"windows": [{"path": "/a/Tool.exe"}, {"path": "/b/tool.exe"}],
                 "darwin": [{"path": "/a/Tool"}, {"path": "/b/tool"}],
                 "linux": [{"path": "/a/Tool"}, {"path": "/b/tool"}]}])";
        CHECK(placement_error(decl, "windows").code == ErrorCode::invalid_extension);
        CHECK(placement_error(decl, "darwin").code == ErrorCode::invalid_extension);
        CHECK(placements(with_binaries(decl), "linux").size() == 2);
    }
    SECTION("a duplicate only matters for the OS that has it") {
        const Metadata m = with_binaries(
            R"([{"linux": [{"path": "/a/k"}, {"path": "/b/k"}], "darwin": [{"path": "/a/k"}]}])");
        CHECK(placements(m, "darwin") == Pairs{{"a/k", "k"}});
        CHECK_FALSE(host_binaries_for(m, "linux").has_value());
    }
    SECTION("unknown host OS") {
        const auto result = host_binaries_for(Metadata{}, "freebsd");
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error().code == ErrorCode::usage);
    }
    SECTION("no host section") { CHECK(placements(Metadata{}, "windows").empty()); }
}

TEST_CASE("extension: names Windows cannot hold", "[extension]") {
    for (const char* name :
         {"CON", "con.exe", "Nul", "aux.txt", "PRN", "COM1", "com9.dll", "LPT3", "lpt1.bat",
          "nul .exe", "tool.", "tool ", "a:b", "a<b", "a>b", "a|b", "a?b", "a*b", "a\"b"}) {
        std::string escaped;
        for (const char c : std::string_view(name)) {
            if (c == '"') escaped += '\\';
            escaped += c;
        }
        const std::string decl = R"([{"windows": [{"path": "/w/)" + escaped +
                                 R"("}], "linux": [{"path": "/l/)" + escaped + R"("}]}])";
        INFO(name);
        const auto error = placement_error(decl, "windows");
        CHECK(error.code == ErrorCode::invalid_extension);
        CHECK(error.message.find("Windows") != std::string::npos);
        // The same name is fine for a linux host.
        CHECK(placements(with_binaries(decl), "linux").size() == 1);
    }
    SECTION("control characters, should a model be built by hand") {
        // parse_metadata already refuses them; host_binaries_for does not rely on that.
        Metadata m;
        m.host_binaries["windows"].push_back({.path = "w/a\x01"
                                                      "b",
                                              .directory = false});
        const auto result = host_binaries_for(m, "windows");
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error().code == ErrorCode::invalid_extension);
        CHECK(result.error().message.find("\\x01") != std::string::npos);
    }
    SECTION("ordinary names pass, reserved words inside a name are fine") {
        const Metadata m = with_binaries(
            R"([{"windows": [{"path": "/w/console.exe"}, {"path": "/w/COM10"},
                              {"path": "/w/nul-helper.cmd"}, {"path": "/w/LPT0"}]}])");
        CHECK(placements(m, "windows").size() == 4);
    }
    SECTION("the nested directory copied whole is not checked name by name here") {
        const Metadata m = with_binaries(R"([{"windows": [{"path": "/w/"}, {"path": "/w/x/"}]}])");
        CHECK(placements(m, "windows") == Pairs{{"w", "w"}});
    }
}

TEST_CASE("extension: normalize_image_path", "[extension]") {
    for (const char* path : {"/ui", "ui", "./ui", "ui/", "//ui//", "/./ui/."}) {
        INFO(path);
        const auto normalised = normalize_image_path(path, "icon");
        REQUIRE(normalised.has_value());
        CHECK(*normalised == "ui");
    }
    CHECK(normalize_image_path("/a/./b//c/", "x") == "a/b/c");
    CHECK(normalize_image_path("a..b/..c", "x") == "a..b/..c");

    const std::pair<std::string, std::string> refused[] = {
        {"", "empty path"},
        {"/", "names the image root"},
        {".", "names the image root"},
        {"..", "\"..\""},
        {"/ui/../../etc/passwd", "\"..\""},
        {"ui\\index.html", "backslash"},
        {"C:/ui", "drive letter"},
        {"/c:", "drive letter"},
        {std::string("ui\0x", 4), "NUL"},
        {"ui\nx", "control character"},
        {std::string(5000, 'a'), "longer than"},
    };
    for (const auto& [path, why] : refused) {
        const auto result = normalize_image_path(path, "ui.dashboard-tab.root");
        INFO(why);
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error().code == ErrorCode::invalid_extension);
        CHECK(result.error().message.starts_with("ui.dashboard-tab.root: "));
        CHECK(result.error().message.find(why) != std::string::npos);
    }
    // Control characters are shown escaped, never raw.
    const auto newline = normalize_image_path("ui\nx", "icon");
    REQUIRE_FALSE(newline.has_value());
    CHECK(newline.error().message.find("\"ui\\x0ax\"") != std::string::npos);
}

TEST_CASE("extension: metadata.json structure errors name the key path", "[extension]") {
    CHECK(refusal(R"({"uii": {}})") == R"(metadata.json: unknown key "uii" at the top level)");
    CHECK(refusal(R"({"ui": {"dashboard": {}}})") ==
          R"(metadata.json: unknown key "dashboard" in ui)");
    CHECK(refusal(R"({"ui": {"dashboard-tab": {"title": "t", "src": "s", "root": "r",
                                               "rooot": "x"}}})") ==
          R"(metadata.json: unknown key "rooot" in ui.dashboard-tab)");
    CHECK(refusal(R"({"ui": {"dashboard-tab": {"title": "t", "src": "s", "root": "r",
                                               "backend": {"sock": "x"}}}})") ==
          R"(metadata.json: unknown key "sock" in ui.dashboard-tab.backend)");
    CHECK(refusal(R"({"vm": {"image": "i", "port": 1}})") ==
          R"(metadata.json: unknown key "port" in vm)");
    CHECK(refusal(R"({"vm": {"image": "i", "exposes": {"socket": "s", "x": 1}}})") ==
          R"(metadata.json: unknown key "x" in vm.exposes)");
    CHECK(refusal(R"({"host": {"binary": []}})") ==
          R"(metadata.json: unknown key "binary" in host)");
    CHECK(refusal(R"({"host": {"binaries": [{"macos": []}]}})") ==
          R"(metadata.json: unknown key "macos" in host.binaries[0])");
    CHECK(refusal(R"({"host": {"binaries": [{"linux": [{"path": "/a", "mode": 1}]}]}})") ==
          R"(metadata.json: unknown key "mode" in host.binaries[0].linux[0])");

    CHECK(refusal(R"({"host": {"binaries": [{"darwin": [{"path": "/a"}, {"path": 3}]}]}})") ==
          "metadata.json: host.binaries[0].darwin[1].path: expected a string, found a number");
    CHECK(refusal(R"({"icon": null})") == "metadata.json: icon: expected a string, found null");
    CHECK(refusal(R"({"icon": ["a"]})").starts_with("metadata.json: icon: expected a string"));
    CHECK(refusal(R"({"name": 1})").starts_with("metadata.json: name: expected a string"));
    CHECK(refusal(R"({"provider": {}})").starts_with("metadata.json: provider: expected a string"));
    CHECK(refusal(R"({"ui": []})") == "metadata.json: ui: expected an object, found an array");
    CHECK(refusal(R"({"ui": {"dashboard-tab": "x"}})")
              .starts_with("metadata.json: ui.dashboard-tab: expected an object"));
    CHECK(refusal(R"({"ui": {"dashboard-tab": {"title": 1, "src": "s", "root": "r"}}})")
              .starts_with("metadata.json: ui.dashboard-tab.title: expected a string"));
    CHECK(refusal(R"({"ui": {"dashboard-tab": {"title": "t", "src": "s", "root": "r",
                                               "backend": {"socket": true}}}})")
              .starts_with("metadata.json: ui.dashboard-tab.backend.socket: expected a string"));
    CHECK(refusal(R"({"ui": {"dashboard-tab": {"title": "t", "src": "s"}}})") ==
          R"(metadata.json: ui.dashboard-tab: missing "root")");
    CHECK(refusal(R"({"vm": {"image": 3}})").starts_with("metadata.json: vm.image: expected"));
    CHECK(refusal(R"({"vm": {"exposes": {"socket": "s"}}})") ==
          R"(metadata.json: vm: needs "image" or "composefile")");
    CHECK(refusal(R"({"vm": "x"})").starts_with("metadata.json: vm: expected an object"));
    CHECK(refusal(R"({"host": []})").starts_with("metadata.json: host: expected an object"));
    CHECK(refusal(R"({"host": {"binaries": {}}})")
              .starts_with("metadata.json: host.binaries: expected an array"));
    CHECK(refusal(R"({"host": {"binaries": [[]]}})")
              .starts_with("metadata.json: host.binaries[0]: expected an object"));
    CHECK(refusal(R"({"host": {"binaries": [{"linux": {}}]}})")
              .starts_with("metadata.json: host.binaries[0].linux: expected an array"));
    CHECK(refusal(R"({"host": {"binaries": [{"linux": ["/a"]}]}})")
              .starts_with("metadata.json: host.binaries[0].linux[0]: expected an object"));
    CHECK(refusal(R"({"host": {"binaries": [{"linux": [{}]}]}})") ==
          R"(metadata.json: host.binaries[0].linux[0]: missing "path")");
    CHECK(refusal("[]") == "metadata.json: expected an object at the top level, found an array");
    CHECK(refusal(R"({"icon": "a", "icon": "b"})") ==
          R"(metadata.json: key "icon" appears twice in one object)");
}

TEST_CASE("extension: metadata.json paths are refused when unsafe", "[extension]") {
    CHECK(refusal(R"({"icon": "../icon.svg"})") ==
          R"(metadata.json: icon: "../icon.svg" contains "..")");
    CHECK(refusal(R"({"icon": ""})") == "metadata.json: icon: empty path");
    CHECK(refusal(R"({"ui": {"dashboard-tab": {"title": "t", "src": "s", "root": "/"}}})") ==
          R"(metadata.json: ui.dashboard-tab.root: "/" names the image root, not a file)");
    CHECK(refusal(R"({"vm": {"composefile": "a\\compose.yaml"}})")
              .starts_with("metadata.json: vm.composefile: "));
    CHECK(refusal(R"({"host": {"binaries": [{"windows": [{"path": "/w/ok.exe"},
                                                         {"path": "C:/evil.exe"}]}]}})") ==
          R"(metadata.json: host.binaries[0].windows[1].path: )"
          R"("C:/evil.exe" starts with a drive letter)");
    CHECK(refusal(R"({"host": {"binaries": [{"linux": [{"path": "/a/../../x"}]}]}})")
              .starts_with("metadata.json: host.binaries[0].linux[0].path: "));
    CHECK(refusal(R"({"host": {"binaries": [{"linux": [{"path": "a\u0000b"}]}]}})").find("NUL") !=
          std::string::npos);
    CHECK(refusal(R"({"host": {"binaries": [{"linux": [{"path": ""}]}]}})") ==
          "metadata.json: host.binaries[0].linux[0].path: empty path");
}

TEST_CASE("extension: metadata.json size cap and invalid JSON", "[extension]") {
    SECTION("oversize input is refused before parsing") {
        deskext::Limits limits;
        limits.max_metadata_bytes = 64;
        // Not even valid JSON: the cap must come first.
        const std::string big(65, '{');
        const auto result = parse_metadata(big, limits);
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error().code == ErrorCode::invalid_extension);
        CHECK(result.error().message == "metadata.json: 65 bytes, more than the limit of 64 bytes");
        CHECK(parse_metadata(std::string(R"({"icon": "a.svg"})"), limits).has_value());
    }
    SECTION("the default cap") {
        std::string big = R"({"name": ")" + std::string((1u << 20) + 1, 'x') + R"("})";
        const auto result = parse_metadata(big);
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error().message.find("more than the limit") != std::string::npos);
    }
    SECTION("invalid JSON names the position") {
        const std::string message = refusal("{\n  \"icon\": \"a.svg\",\n}");
        CHECK(message.starts_with("metadata.json: not valid JSON: "));
        CHECK(message.find("line 3, column 1") != std::string::npos);
        CHECK(message.find("[json.exception") == std::string::npos);
        CHECK(refusal("").starts_with("metadata.json: not valid JSON: "));
        CHECK(refusal(R"({"icon": "a.svg"} trailing)")
                  .starts_with("metadata.json: not valid JSON: "));
        CHECK(refusal("{\"icon\": \"\xff\"}").starts_with("metadata.json: not valid JSON: "));
    }
    SECTION("deep nesting within the cap is refused without exhausting the stack") {
        const std::size_t depth = 400000;
        const std::string nested = R"({"name": )" + std::string(depth, '[') +
                                   std::string(depth, ']') + "}";
        CHECK(refusal(nested).starts_with("metadata.json: name: expected a string"));
    }
    SECTION("a minimal document is accepted; icon and ui stay optional in the model") {
        const auto empty = parse_metadata("{}");
        REQUIRE(empty.has_value());
        CHECK_FALSE(empty->icon.has_value());
        CHECK_FALSE(empty->dashboard_tab.has_value());
        CHECK_FALSE(empty->vm.has_value());
        CHECK(empty->host_binaries.empty());
        const auto ui_only = parse_metadata(R"({"ui": {}, "host": {}, "vm": {"image": "x"}})");
        REQUIRE(ui_only.has_value());
        CHECK_FALSE(ui_only->dashboard_tab.has_value());
        CHECK(ui_only->vm->image == "x");
    }
    SECTION("name and provider from Docker's own example are accepted") {
        const auto parsed = parse_metadata(
            R"({"name": "example-extension", "provider": "Docker Inc.", "icon": "docker.svg",
                "ui": {"dashboard-tab": {"title": "Example", "src": "index.html",
                                         "root": "ui"}}})");
        REQUIRE(parsed.has_value());
        CHECK(parsed->icon == "docker.svg");
    }
}
