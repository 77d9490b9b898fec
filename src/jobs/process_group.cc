#include "jobs/process_group.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace ct {
namespace {

void CloseFd(int& fd) {
  if (fd >= 0) {
    close(fd);
    fd = -1;
  }
}

Status ErrnoStatus(const std::string& what, int err) {
  return Status::Unavailable(what + ": " + std::strerror(err));
}

ExitInfo DecodeWaitStatus(int status) {
  ExitInfo info;
  if (WIFEXITED(status)) {
    info.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    info.signal = WTERMSIG(status);
  }
  return info;
}

// The child's environment: ours, minus the keys `extra` overrides, plus `extra`.
std::vector<std::string> BuildEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    const std::string_view key = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const std::string& x : extra) {
      if (std::string_view(x).substr(0, x.find('=')) == key) overridden = true;
    }
    if (!overridden) env.emplace_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Runs in the forked child: only async-signal-safe calls until execve.
[[noreturn]] void ExecChild(const SpawnOptions& o, pid_t parent, int stdin_fd, int stdout_fd,
                            int stderr_fd, int err_fd, char* const* argv, char* const* envp) {
  auto die = [err_fd](int err) {
    ssize_t ignored = write(err_fd, &err, sizeof err);
    (void)ignored;
    _exit(127);
  };
  if (setsid() < 0) die(errno);
  if (o.parent_death_signal != 0) {
    if (prctl(PR_SET_PDEATHSIG, o.parent_death_signal) < 0) die(errno);
    if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
  }
  // Signal masks and ignored dispositions survive exec: undo what the parent set up for itself
  // (it blocks SIGTERM for sigwait and ignores SIGPIPE), or the child could not be terminated.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGQUIT}) sigaction(sig, &dfl, nullptr);
  if (o.memory_limit_bytes > 0) {
    rlimit lim{static_cast<rlim_t>(o.memory_limit_bytes), static_cast<rlim_t>(o.memory_limit_bytes)};
    if (setrlimit(RLIMIT_AS, &lim) < 0) die(errno);
  }
  if (stdin_fd >= 0 && dup2(stdin_fd, STDIN_FILENO) < 0) die(errno);
  if (stdout_fd >= 0 && dup2(stdout_fd, STDOUT_FILENO) < 0) die(errno);
  if (stderr_fd >= 0 && dup2(stderr_fd, STDERR_FILENO) < 0) die(errno);
  // Every other descriptor (sockets, database files of the parent) closes on exec; err_fd too,
  // which tells the parent that exec succeeded.
  close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  execve(argv[0], argv, envp);
  die(errno);
  _exit(127);
}

}  // namespace

std::string ExitInfo::ToString() const {
  if (signal != 0) {
    const char* name = strsignal(signal);
    return "killed by signal " + std::to_string(signal) + " (" + (name ? name : "?") + ")";
  }
  return "exit code " + std::to_string(exit_code);
}

Result<std::unique_ptr<ProcessGroup>> ProcessGroup::Spawn(const SpawnOptions& o) {
  if (o.argv.empty() || o.argv[0].empty()) {
    return Status::InvalidArgument("spawn: empty argv");
  }
  std::vector<std::string> args = o.argv;
  std::vector<std::string> env = BuildEnvironment(o.extra_env);
  std::vector<char*> argv = CStrings(args);
  std::vector<char*> envp = CStrings(env);

  // stdin from an anonymous in-memory file: any size, no SIGPIPE, no deadlock with the reader.
  int in_fd = -1;
  if (o.stdin_data) {
    in_fd = memfd_create("ct-job-stdin", MFD_CLOEXEC);
    if (in_fd < 0) return ErrnoStatus("memfd_create", errno);
    std::size_t off = 0;
    while (off < o.stdin_data->size()) {
      ssize_t n = write(in_fd, o.stdin_data->data() + off, o.stdin_data->size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int err = errno;
        CloseFd(in_fd);
        return ErrnoStatus("writing stdin", err);
      }
      off += static_cast<std::size_t>(n);
    }
    lseek(in_fd, 0, SEEK_SET);
  } else {
    in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  }
  int out[2] = {-1, -1}, err[2] = {-1, -1}, status_pipe[2] = {-1, -1};
  auto close_all = [&] {
    for (int* fd : {&in_fd, &out[0], &out[1], &err[0], &err[1], &status_pipe[0], &status_pipe[1]}) {
      CloseFd(*fd);
    }
  };
  if ((o.capture_stdout && pipe2(out, O_CLOEXEC) < 0) ||
      (o.capture_stderr && pipe2(err, O_CLOEXEC) < 0) || pipe2(status_pipe, O_CLOEXEC) < 0) {
    const int e = errno;
    close_all();
    return ErrnoStatus("pipe", e);
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    const int e = errno;
    close_all();
    return ErrnoStatus("fork", e);
  }
  if (pid == 0) {
    ExecChild(o, parent, in_fd, out[1], err[1], status_pipe[1], argv.data(), envp.data());
  }
  CloseFd(in_fd);
  CloseFd(out[1]);
  CloseFd(err[1]);
  CloseFd(status_pipe[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(status_pipe[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  CloseFd(status_pipe[0]);
  if (n > 0) {  // exec failed: the child wrote errno and exited
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    CloseFd(out[0]);
    CloseFd(err[0]);
    return ErrnoStatus("exec " + o.argv[0], child_errno);
  }
  for (int fd : {out[0], err[0]}) {
    if (fd >= 0) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  return std::unique_ptr<ProcessGroup>(new ProcessGroup(pid, out[0], err[0], o.stderr_tail_bytes));
}

ProcessGroup::ProcessGroup(pid_t pid, int stdout_fd, int stderr_fd, std::size_t tail_bytes)
    : pid_(pid), stdout_fd_(stdout_fd), stderr_fd_(stderr_fd), tail_bytes_(tail_bytes) {}

ProcessGroup::~ProcessGroup() {
  if (!exit_) Reap();
  CloseFd(stdout_fd_);
  CloseFd(stderr_fd_);
}

std::vector<std::string> ProcessGroup::TakeLines() {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl; (nl = stdout_buf_.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(stdout_buf_.substr(start, nl - start));
  }
  stdout_buf_.erase(0, start);
  if (stdout_fd_ < 0 && !stdout_buf_.empty()) {
    lines.push_back(std::move(stdout_buf_));
    stdout_buf_.clear();
  }
  return lines;
}

void ProcessGroup::Pump(int timeout_ms) {
  pollfd fds[2];
  int nfds = 0;
  if (stdout_fd_ >= 0) fds[nfds++] = {stdout_fd_, POLLIN, 0};
  if (stderr_fd_ >= 0) fds[nfds++] = {stderr_fd_, POLLIN, 0};
  if (nfds == 0) {
    if (timeout_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
    return;
  }
  if (poll(fds, nfds, timeout_ms) <= 0) return;
  char buf[16384];
  while (stdout_fd_ >= 0) {
    ssize_t n = read(stdout_fd_, buf, sizeof buf);
    if (n > 0) {
      stdout_buf_.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    CloseFd(stdout_fd_);  // EOF (or an error, treated alike)
  }
  DrainStderr(false);
}

std::vector<std::string> ProcessGroup::ReadLines(int timeout_ms) {
  std::vector<std::string> lines = TakeLines();
  if (!lines.empty()) return lines;
  Pump(timeout_ms);
  return TakeLines();
}

void ProcessGroup::DrainStderr(bool block_until_eof) {
  char buf[8192];
  while (stderr_fd_ >= 0) {
    ssize_t n = read(stderr_fd_, buf, sizeof buf);
    if (n > 0) {
      stderr_tail_.append(buf, static_cast<std::size_t>(n));
      if (stderr_tail_.size() > tail_bytes_) {
        stderr_tail_.erase(0, stderr_tail_.size() - tail_bytes_);
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!block_until_eof) return;
      pollfd p{stderr_fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) return;  // bounded: a writer we cannot see keeps it open
      continue;
    }
    CloseFd(stderr_fd_);
  }
}

std::string ProcessGroup::stderr_tail() const { return stderr_tail_; }

bool ProcessGroup::LeaderEnded() {
  siginfo_t info{};
  if (waitid(P_PID, pid_, &info, WEXITED | WNOHANG | WNOWAIT) < 0) {
    return errno == ECHILD;  // already reaped by someone else: treat as ended
  }
  return info.si_pid == pid_;
}

ExitInfo ProcessGroup::Reap() {
  if (exit_) return *exit_;
  // The leader is a zombie (or alive, from the destructor): its pid keeps the pgid reserved, so
  // this reaches exactly its group.
  kill(-pid_, SIGKILL);
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  exit_ = r == pid_ ? DecodeWaitStatus(status) : ExitInfo{};
  // Stragglers: members whose parent died were re-parented (to us if we are a subreaper).
  // Kill and reap them, bounded so a process stuck in the kernel cannot hang us.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (;;) {
    while (waitpid(-pid_, &status, WNOHANG) > 0) {
    }
    if (kill(-pid_, 0) < 0) break;  // ESRCH: the group is gone
    if (ProcessesInGroup(pid_, /*include_zombies=*/false).empty()) {
      // Only zombies left: reap ours (next loop) or leave others' to their parent.
      if (waitpid(-pid_, &status, WNOHANG) <= 0) break;
      continue;
    }
    if (std::chrono::steady_clock::now() > deadline) break;
    kill(-pid_, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  DrainStderr(true);
  return *exit_;
}

std::optional<ExitInfo> ProcessGroup::TryWait() {
  if (exit_) return exit_;
  if (!LeaderEnded()) return std::nullopt;
  return Reap();
}

std::optional<ExitInfo> ProcessGroup::WaitFor(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto e = TryWait()) return e;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return std::nullopt;
    // Keep the pipes flowing (a child blocked on a full pipe would never exit); lines stay
    // buffered for the next ReadLines.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    Pump(static_cast<int>(std::min<std::int64_t>(5, left.count() + 1)));
  }
}

ExitInfo ProcessGroup::Wait() {
  for (;;) {
    if (auto e = WaitFor(std::chrono::milliseconds(1000))) return *e;
  }
}

ExitInfo ProcessGroup::Terminate(std::chrono::milliseconds grace) {
  if (exit_) return *exit_;
  kill(-pid_, SIGTERM);
  if (auto e = WaitFor(grace)) return *e;
  return Reap();  // SIGKILLs the group first
}

void ProcessGroup::Signal(int sig) {
  if (!exit_) kill(-pid_, sig);
}

Status BecomeChildSubreaper() {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
    return Status::Internal(std::string("PR_SET_CHILD_SUBREAPER: ") + std::strerror(errno));
  }
  return Status::Ok();
}

Result<std::string> SelfExecutablePath() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n < 0) return Status::Internal(std::string("readlink /proc/self/exe: ") + std::strerror(errno));
  return std::string(buf, static_cast<std::size_t>(n));
}

std::string ReadProcFile(const std::string& path) {
  // POSIX reads, not std::ifstream: a process that exits between open and read makes read()
  // fail with ESRCH, which libstdc++'s filebuf turns into an exception.
  std::string out;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  return out;
}

std::vector<pid_t> ProcessesInGroup(pid_t pgid, bool include_zombies) {
  std::vector<pid_t> pids;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return pids;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    const std::string stat = ReadProcFile(std::string("/proc/") + entry->d_name + "/stat");
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const std::size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    char state = 0;
    long ppid = 0, pgrp = 0;
    if (!(rest >> state >> ppid >> pgrp)) continue;
    if (pgrp == pgid && (include_zombies || (state != 'Z' && state != 'X'))) {
      pids.push_back(static_cast<pid_t>(pid));
    }
  }
  closedir(dir);
  return pids;
}

}  // namespace ct
