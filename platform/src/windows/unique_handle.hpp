#pragma once
// Private to platform/: move-only owners of Win32 handles.

#include <windows.h>

#include <utility>

namespace deskext::platform::detail {

// A handle from CreateFileW (closed with CloseHandle) or FindFirstFileExW (closed with FindClose).
template <BOOL(WINAPI* Close)(HANDLE)>
class BasicHandle {
public:
    BasicHandle() = default;
    explicit BasicHandle(HANDLE handle) : m_handle(handle) {}
    ~BasicHandle() { reset(); }
    BasicHandle(BasicHandle&& other) noexcept
        : m_handle(std::exchange(other.m_handle, INVALID_HANDLE_VALUE)) {}
    BasicHandle& operator=(BasicHandle&& other) noexcept {
        if (this != &other) {
            reset();
            m_handle = std::exchange(other.m_handle, INVALID_HANDLE_VALUE);
        }
        return *this;
    }
    BasicHandle(const BasicHandle&) = delete;
    BasicHandle& operator=(const BasicHandle&) = delete;

    [[nodiscard]] HANDLE get() const { return m_handle; }
    [[nodiscard]] bool valid() const {
        return m_handle != INVALID_HANDLE_VALUE && m_handle != nullptr;
    }
    void reset() {
        if (valid()) Close(std::exchange(m_handle, INVALID_HANDLE_VALUE));
    }

private:
    HANDLE m_handle = INVALID_HANDLE_VALUE;
};

using UniqueHandle = BasicHandle<::CloseHandle>;
using UniqueFindHandle = BasicHandle<::FindClose>;

}  // namespace deskext::platform::detail
