// run_helper() on POSIX: posix_spawnp with three pipes, polled until the child exits or the
// timeout passes.

#include "deskext/platform/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "unique_fd.hpp"

extern char** environ;

namespace deskext::platform {
namespace {

using detail::UniqueFd;

// Writes to a pipe whose reader is gone without dying of SIGPIPE: the signal is blocked for this
// thread around the write and a pending one is consumed.
ssize_t write_no_sigpipe(int fd, const char* data, std::size_t size) {
    sigset_t pipe_set;
    sigset_t old_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
    const auto put = ::write(fd, data, size);
    const int saved = errno;
    if (put < 0 && saved == EPIPE) {
        const timespec zero{0, 0};
        while (::sigtimedwait(&pipe_set, nullptr, &zero) == SIGPIPE) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
    errno = saved;
    return put;
}

Result<std::array<UniqueFd, 2>> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return fail(ErrorCode::internal,
                    std::string("cannot create a pipe: ") + std::strerror(errno));
    }
    return std::array<UniqueFd, 2>{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace

Result<HelperOutput> run_helper(const std::vector<std::string>& argv, const std::string& input,
                                std::size_t cap, std::chrono::milliseconds timeout) {
    if (argv.empty()) return fail(ErrorCode::internal, "run_helper: empty argv");
    DESKEXT_TRY_ASSIGN(auto in, make_pipe());
    DESKEXT_TRY_ASSIGN(auto out, make_pipe());
    DESKEXT_TRY_ASSIGN(auto err, make_pipe());

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0].get(), 0);
    posix_spawn_file_actions_adddup2(&actions, out[1].get(), 1);
    posix_spawn_file_actions_adddup2(&actions, err[1].get(), 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = ::posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc == ENOENT) return fail(ErrorCode::not_found, argv[0] + " was not found on PATH");
    if (rc != 0) {
        return fail(ErrorCode::internal,
                    "cannot start " + argv[0] + ": " + std::string(std::strerror(rc)));
    }
    in[0].reset();
    out[1].reset();
    err[1].reset();

    HelperOutput result;
    std::size_t written = 0;
    if (input.empty()) in[1].reset();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool failed = false;
    std::string why;
    while (out[0].valid() || err[0].valid() || in[1].valid()) {
        std::array<pollfd, 3> fds{pollfd{out[0].get(), POLLIN, 0}, pollfd{err[0].get(), POLLIN, 0},
                                  pollfd{in[1].get(), POLLOUT, 0}};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            failed = true;
            why = "did not finish in time";
            break;
        }
        const int n = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            failed = true;
            why = std::strerror(errno);
            break;
        }
        for (std::size_t i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
            char buffer[4096];
            const auto got = ::read(fds[i].fd, buffer, sizeof buffer);
            auto& fd = i == 0 ? out[0] : err[0];
            auto& sink = i == 0 ? result.out : result.err;
            if (got <= 0) {
                if (got < 0 && errno == EINTR) continue;
                fd.reset();
            } else if (sink.size() + static_cast<std::size_t>(got) > cap) {
                failed = true;
                why = "wrote more output than expected";
            } else {
                sink.append(buffer, static_cast<std::size_t>(got));
            }
        }
        if (failed) break;
        if (fds[2].fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
            const auto put =
                write_no_sigpipe(fds[2].fd, input.data() + written, input.size() - written);
            if (put < 0 && errno != EINTR && errno != EAGAIN) {
                in[1].reset();  // the helper closed its stdin: let its exit status speak
            } else if (put > 0) {
                written += static_cast<std::size_t>(put);
                if (written == input.size()) in[1].reset();
            }
        }
    }
    if (failed) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (failed) return fail(ErrorCode::internal, argv[0] + " " + why);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

}  // namespace deskext::platform
