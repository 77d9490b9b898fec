// ProcessGroup: one child process started in its own session (hence its own process group), so
// that everything it forks — a browser and its helpers — can be signalled and killed as one.
//
// Lifecycle: Spawn() forks + setsid + execs; the owner reads the child's stdout as JSON lines
// (ReadLines) while its stderr is kept as a bounded tail for diagnostics; the child ends by
// itself (TryWait/Wait) or is stopped with Terminate(grace): SIGTERM to the whole group, up to
// `grace` to exit, then SIGKILL to the group. Whatever way the leader ends, the rest of its group
// is SIGKILLed before the leader is reaped (its pid, hence the pgid, stays reserved until then),
// so no descendant outlives it. The destructor does the same: no orphans, no zombies.
//
// Orphaned members of the group (whose parent, the leader, died first) are re-parented to the
// nearest "child subreaper" or to PID 1. A process that spawns groups should call
// BecomeChildSubreaper() once, so that those orphans become its children and are reaped here
// (waitpid on -pgid) instead of lingering as zombies under an init that does not reap.
//
// Memory cap: RLIMIT_AS is set in the child before exec and is inherited by every process it
// forks. Its limit: it caps the address space of EACH process, not the group's total, and it
// counts reserved virtual memory (Chromium reserves far more than it uses, so a cap must be
// generous for browsers). A true group-wide cap needs a cgroup v2 memory.max (containers set
// one per worker; see deploy/).
//
// Thread safety: none; one owner thread drives a ProcessGroup. Spawn itself is safe to call
// from any thread of a multi-threaded process (only async-signal-safe calls after fork).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace ct {

struct SpawnOptions {
  std::vector<std::string> argv;       // argv[0] is the program path (not searched in PATH)
  std::vector<std::string> extra_env;  // "KEY=value", added to (overriding) the environment
  std::optional<std::string> stdin_data;  // written to the child's stdin, which is then closed;
                                          // nullopt = /dev/null. Must fit what the child reads
                                          // before writing much (the write blocks).
  bool capture_stdout = true;  // false: inherited from this process
  bool capture_stderr = true;  // false: inherited
  std::int64_t memory_limit_bytes = 0;  // RLIMIT_AS of each process of the group; 0 = none
  int parent_death_signal = 0;  // sent to the child if the spawning THREAD dies; 0 = none
  std::size_t stderr_tail_bytes = 8192;
};

// How the group leader ended.
struct ExitInfo {
  int exit_code = -1;  // when it exited normally
  int signal = 0;      // when a signal killed it (then exit_code is -1)
  bool signaled() const { return signal != 0; }
  bool success() const { return signal == 0 && exit_code == 0; }
  std::string ToString() const;  // "exit code 3" | "killed by signal 9 (Killed)"
};

class ProcessGroup {
 public:
  // Starts the child. Errors: InvalidArgument (empty argv), Unavailable (fork/pipe failed, or
  // exec failed — e.g. no such file — reported by the child before it exits).
  static Result<std::unique_ptr<ProcessGroup>> Spawn(const SpawnOptions& options);

  ~ProcessGroup();  // SIGKILLs the group if still running and reaps
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  pid_t pid() const { return pid_; }
  pid_t pgid() const { return pid_; }  // leader of a new session: pgid == pid

  // Waits up to timeout_ms for output on the captured pipes and returns the complete stdout
  // lines read (without '\n'); stderr is appended to the tail. Returns early when a line is
  // available. A trailing partial line is returned once stdout closes.
  std::vector<std::string> ReadLines(int timeout_ms);
  bool stdout_closed() const { return stdout_fd_ < 0; }
  // The last stderr_tail_bytes of the child's stderr.
  std::string stderr_tail() const;

  // Non-blocking: the exit once the leader has ended (then the group is killed and reaped).
  std::optional<ExitInfo> TryWait();
  // Blocks until the leader ends.
  ExitInfo Wait();
  // Blocks until the leader ends or `timeout` passes.
  std::optional<ExitInfo> WaitFor(std::chrono::milliseconds timeout);
  // SIGTERM to the group, up to `grace` for the leader to exit, then SIGKILL to the group.
  // Returns how the leader ended. Idempotent: once ended, returns the same ExitInfo.
  ExitInfo Terminate(std::chrono::milliseconds grace);
  // Sends `sig` to every process of the group (no-op once reaped).
  void Signal(int sig);

  std::optional<ExitInfo> exit_info() const { return exit_; }

 private:
  ProcessGroup(pid_t pid, int stdout_fd, int stderr_fd, std::size_t tail_bytes);
  bool LeaderEnded();  // peeks without reaping
  ExitInfo Reap();     // kills the remaining group, reaps the leader and group members
  void DrainStderr(bool block_until_eof);
  void Pump(int timeout_ms);  // reads what the pipes hold into the buffers
  std::vector<std::string> TakeLines();

  pid_t pid_;
  int stdout_fd_;
  int stderr_fd_;
  std::size_t tail_bytes_;
  std::string stdout_buf_;
  std::string stderr_tail_;
  std::optional<ExitInfo> exit_;
};

// Makes this process the reaper of orphaned descendants (PR_SET_CHILD_SUBREAPER), so that the
// members of a killed group are reaped by their ProcessGroup. Call once, early, in processes
// that spawn groups (worker, serve). Returns Internal if the kernel refuses.
Status BecomeChildSubreaper();

// Path of the running executable (/proc/self/exe resolved), to re-exec ourselves.
Result<std::string> SelfExecutablePath();

// Pids of the live (non-zombie unless `include_zombies`) processes whose process group is
// `pgid`, from /proc. For tests and diagnostics.
std::vector<pid_t> ProcessesInGroup(pid_t pgid, bool include_zombies = true);

// The contents of a /proc file ("" when it cannot be read, e.g. the process is gone). Never
// throws (std::ifstream can, when a process exits while its file is read).
std::string ReadProcFile(const std::string& path);

}  // namespace ct
