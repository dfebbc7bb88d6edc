// Host detection on Windows. The architecture is the machine's native one, not the process's:
// an x64 build running under emulation on Windows on Arm must still install the arm64 variant,
// and GetNativeSystemInfo reports the emulated AMD64 there, so IsWow64Process2 (Windows 10 1709+)
// is asked first. It is looked up at run time so that the binary still starts on older systems.

#include <windows.h>

#include "deskext/platform/platform.hpp"

namespace deskext::platform {
namespace {

const char* arch_of_machine(USHORT machine) {
    switch (machine) {
        case IMAGE_FILE_MACHINE_AMD64:
            return "amd64";
        case IMAGE_FILE_MACHINE_ARM64:
            return "arm64";
        case IMAGE_FILE_MACHINE_I386:
            return "386";
        case IMAGE_FILE_MACHINE_ARMNT:
            return "arm";
        default:
            return nullptr;
    }
}

const char* arch_of_processor(WORD processor_architecture) {
    switch (processor_architecture) {
        case PROCESSOR_ARCHITECTURE_AMD64:
            return "amd64";
        case PROCESSOR_ARCHITECTURE_ARM64:
            return "arm64";
        case PROCESSOR_ARCHITECTURE_INTEL:
            return "386";
        case PROCESSOR_ARCHITECTURE_ARM:
            return "arm";
        default:
            return "unknown";
    }
}

using IsWow64Process2Fn = BOOL(WINAPI*)(HANDLE, USHORT*, USHORT*);

const char* native_arch_from_wow64() {
    HMODULE kernel32 = ::GetModuleHandleW(L"kernel32.dll");
    if (kernel32 == nullptr) return nullptr;
    FARPROC proc = ::GetProcAddress(kernel32, "IsWow64Process2");
    if (proc == nullptr) return nullptr;
    auto is_wow64_process2 = reinterpret_cast<IsWow64Process2Fn>(reinterpret_cast<void*>(proc));
    USHORT process_machine = IMAGE_FILE_MACHINE_UNKNOWN;
    USHORT native_machine = IMAGE_FILE_MACHINE_UNKNOWN;
    if (!is_wow64_process2(::GetCurrentProcess(), &process_machine, &native_machine)) {
        return nullptr;
    }
    return arch_of_machine(native_machine);
}

}  // namespace

Platform detect_host() {
    if (const char* arch = native_arch_from_wow64()) return make_platform("windows", arch);
    SYSTEM_INFO info{};
    ::GetNativeSystemInfo(&info);
    return make_platform("windows", arch_of_processor(info.wProcessorArchitecture));
}

}  // namespace deskext::platform
