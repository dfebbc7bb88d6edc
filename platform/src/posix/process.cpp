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

// The helper's three standard streams; [0] is the read end, [1] the write end.
struct HelperPipes {
    std::array<UniqueFd, 2> in, out, err;
};

Result<pid_t> spawn_helper(const std::vector<std::string>& argv, HelperPipes& pipes) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipes.in[0].get(), 0);
    posix_spawn_file_actions_adddup2(&actions, pipes.out[1].get(), 1);
    posix_spawn_file_actions_adddup2(&actions, pipes.err[1].get(), 2);
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
    // The helper holds its own ends now; ours must close for it to see end of input.
    pipes.in[0].reset();
    pipes.out[1].reset();
    pipes.err[1].reset();
    return pid;
}

// Reads what one output pipe has ready into `sink`, closing the pipe at its end. False when the
// helper wrote more than `cap`.
bool read_ready(UniqueFd& fd, std::string& sink, std::size_t cap) {
    char buffer[4096];
    const auto got = ::read(fd.get(), buffer, sizeof buffer);
    if (got <= 0) {
        if (got == 0 || errno != EINTR) fd.reset();
        return true;
    }
    if (sink.size() + static_cast<std::size_t>(got) > cap) return false;
    sink.append(buffer, static_cast<std::size_t>(got));
    return true;
}

// Writes what the helper's standard input takes now, closing it once all is written.
void write_ready(UniqueFd& fd, const std::string& input, std::size_t& written) {
    const auto put = write_no_sigpipe(fd.get(), input.data() + written, input.size() - written);
    if (put < 0 && errno != EINTR && errno != EAGAIN) {
        fd.reset();  // the helper closed its stdin: let its exit status speak
    } else if (put > 0) {
        written += static_cast<std::size_t>(put);
        if (written == input.size()) fd.reset();
    }
}

// Feeds `input` and collects the output until the helper closes both outputs. Returns why it
// stopped early, or "".
std::string exchange(HelperPipes& pipes, const std::string& input, std::size_t cap,
                     std::chrono::milliseconds timeout, HelperOutput& result) {
    std::size_t written = 0;
    if (input.empty()) pipes.in[1].reset();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (pipes.out[0].valid() || pipes.err[0].valid() || pipes.in[1].valid()) {
        std::array<pollfd, 3> fds{pollfd{pipes.out[0].get(), POLLIN, 0},
                                  pollfd{pipes.err[0].get(), POLLIN, 0},
                                  pollfd{pipes.in[1].get(), POLLOUT, 0}};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return "did not finish in time";
        const int n = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::strerror(errno);
        constexpr short readable = POLLIN | POLLHUP | POLLERR;
        if (fds[0].fd >= 0 && (fds[0].revents & readable) != 0 &&
            !read_ready(pipes.out[0], result.out, cap))
            return "wrote more output than expected";
        if (fds[1].fd >= 0 && (fds[1].revents & readable) != 0 &&
            !read_ready(pipes.err[0], result.err, cap))
            return "wrote more output than expected";
        if (fds[2].fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) != 0)
            write_ready(pipes.in[1], input, written);
    }
    return {};
}

int wait_for(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

}  // namespace

Result<HelperOutput> run_helper(const std::vector<std::string>& argv, const std::string& input,
                                std::size_t cap, std::chrono::milliseconds timeout) {
    if (argv.empty()) return fail(ErrorCode::internal, "run_helper: empty argv");
    HelperPipes pipes;
    DESKEXT_TRY_ASSIGN(pipes.in, make_pipe());
    DESKEXT_TRY_ASSIGN(pipes.out, make_pipe());
    DESKEXT_TRY_ASSIGN(pipes.err, make_pipe());
    DESKEXT_TRY_ASSIGN(const pid_t pid, spawn_helper(argv, pipes));

    HelperOutput result;
    const std::string why = exchange(pipes, input, cap, timeout, result);
    if (!why.empty()) ::kill(pid, SIGKILL);
    const int status = wait_for(pid);
    if (!why.empty()) return fail(ErrorCode::internal, argv[0] + " " + why);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

}  // namespace deskext::platform
