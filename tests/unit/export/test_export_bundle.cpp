#include <catch2/catch.hpp>

#include "deskext/export/export_bundle.hpp"

using namespace deskext;

TEST_CASE("export: the names an image gets in a bundle", "[export]") {
    auto names = bundle_names("acme/ext:1.0");
    CHECK(names.ref_name == "acme/ext:1.0");
    CHECK(names.image_name == "docker.io/acme/ext:1.0");
    names = bundle_names("docker.io/library/alpine");
    CHECK(names.ref_name == "alpine:latest");
    CHECK(names.image_name == "docker.io/library/alpine:latest");
    names = bundle_names("127.0.0.1:5000/acme/ext:2.0");
    CHECK(names.ref_name == "127.0.0.1:5000/acme/ext:2.0");
    CHECK(names.image_name == "127.0.0.1:5000/acme/ext:2.0");
    // Not a reference Docker would accept: kept as it is.
    names = bundle_names("Not/A/Reference");
    CHECK(names.ref_name == "Not/A/Reference");
    CHECK(names.image_name == "Not/A/Reference");
}
