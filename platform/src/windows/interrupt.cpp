// exit_on_interrupt on Windows: a console control handler. The default one ends the process
// with STATUS_CONTROL_C_EXIT, which reaches a POSIX shell as 58 (0xC000013A & 0xff), and under
// Wine as 0, as if the command had succeeded.

#include <windows.h>

#include "deskext/platform/interrupt.hpp"

namespace deskext::platform {
namespace {

constexpr UINT k_interrupted = 130;  // 128 + SIGINT

BOOL WINAPI on_console_event(DWORD event) {
    switch (event) {
        case CTRL_C_EVENT:
        case CTRL_BREAK_EVENT:
        case CTRL_CLOSE_EVENT:
            // At once, as SIGINT's default action: no destructor runs, the next run cleans up.
            ::TerminateProcess(::GetCurrentProcess(), k_interrupted);
            return TRUE;
        default:
            return FALSE;
    }
}

}  // namespace

void exit_on_interrupt() { ::SetConsoleCtrlHandler(on_console_event, TRUE); }

}  // namespace deskext::platform
