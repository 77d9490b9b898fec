#include "pg_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

namespace ct::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kDirPrefix[] = "ct-pg-";

// The newest installed major version's bin directory, e.g. /usr/lib/postgresql/15/bin.
Result<std::string> FindBinDir(const std::string& root) {
  std::error_code ec;
  int best = -1;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    char* end = nullptr;
    const long version = std::strtol(name.c_str(), &end, 10);
    if (end == name.c_str() || *end != '\0') continue;
    if (!fs::exists(entry.path() / "bin" / "initdb") || !fs::exists(entry.path() / "bin" / "pg_ctl")) {
      continue;
    }
    best = std::max(best, static_cast<int>(version));
  }
  if (best < 0) {
    return Status::FailedPrecondition(
        "PostgreSQL server binaries not found: no " + root +
        "/<version>/bin/{initdb,pg_ctl}; install the postgresql package (pg tests cannot run)");
  }
  return root + "/" + std::to_string(best) + "/bin";
}

Result<int> FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Status::Internal(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string err = std::strerror(errno);
    ::close(fd);
    return Status::Internal("finding a free port: " + err);
  }
  ::close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

// Runs argv, output appended to log_path; returns the exit code (or -1 when it could not run).
int RunProcess(const std::vector<std::string>& argv, const std::string& cwd,
               const std::string& log_path) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    const int out = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out >= 0) {
      ::dup2(out, STDOUT_FILENO);
      ::dup2(out, STDERR_FILENO);
      ::close(out);
    }
    const int in = ::open("/dev/null", O_RDONLY);
    if (in >= 0) ::dup2(in, STDIN_FILENO);
    if (::chdir(cwd.c_str()) != 0) _exit(126);
    ::execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status ChownToPostgres(const std::string& path) {
  const passwd* pw = ::getpwnam("postgres");
  if (pw == nullptr) {
    return Status::FailedPrecondition(
        "running as root but there is no `postgres` user to run PostgreSQL as (PostgreSQL "
        "refuses to run as root); install the postgresql package or run tests as non-root");
  }
  if (::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    return Status::Internal("chown " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

// A test binary that crashed leaves its server running; stop and remove those whose owning
// process is gone, so crashed runs do not pile up.
void ReapStaleServers(const std::string& bin_dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kDirPrefix, 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + std::strlen(kDirPrefix), nullptr, 10);
    if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    const std::string data = (entry.path() / "data").string();
    if (fs::exists(data + "/postmaster.pid")) {
      std::vector<std::string> argv;
      if (::geteuid() == 0) argv = {"/usr/sbin/runuser", "-u", "postgres", "--"};
      argv.insert(argv.end(), {bin_dir + "/pg_ctl", "stop", "-D", data, "-m", "immediate", "-w"});
      RunProcess(argv, "/", "/dev/null");
    }
    fs::remove_all(entry.path(), ec);
  }
}

}  // namespace

Result<std::unique_ptr<PgServer>> PgServer::Start(const std::string& install_root) {
  CT_ASSIGN_OR_RETURN(std::string bin_dir, FindBinDir(install_root));
  ReapStaleServers(bin_dir);
  std::unique_ptr<PgServer> server(new PgServer());
  server->bin_dir_ = std::move(bin_dir);
  server->as_postgres_user_ = ::geteuid() == 0;
  if (server->as_postgres_user_ && !fs::exists("/usr/sbin/runuser")) {
    return Status::FailedPrecondition("running as root but /usr/sbin/runuser is missing");
  }
  std::string tmpl =
      (fs::temp_directory_path() / (kDirPrefix + std::to_string(::getpid()) + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return Status::Internal("mkdtemp " + tmpl + ": " + std::strerror(errno));
  }
  server->dir_ = tmpl;  // from here on the destructor cleans up
  server->data_dir_ = server->dir_ + "/data";
  server->log_path_ = server->dir_ + "/server.log";
  if (server->as_postgres_user_) CT_RETURN_IF_ERROR(ChownToPostgres(server->dir_));
  CT_RETURN_IF_ERROR(server->InitCluster());
  // The port may be taken between probing and binding by another process: try a few.
  Status started;
  for (int attempt = 0; attempt < 5; ++attempt) {
    CT_ASSIGN_OR_RETURN(server->port_, FreePort());
    std::ofstream conf(server->data_dir_ + "/postgresql.auto.conf", std::ios::app);
    conf << "port = " << server->port_ << "\n";
    conf.close();
    started = server->StartServer();
    if (started.ok()) return server;
  }
  return started;
}

Status PgServer::InitCluster() {
  CT_RETURN_IF_ERROR(RunPg("initdb", {"-D", data_dir_, "-U", "postgres", "-A", "trust",
                                      "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"},
                           "initdb"));
  // Settings for a disposable server: fast start, nothing durable, local TCP only.
  std::ofstream conf(data_dir_ + "/postgresql.conf", std::ios::app);
  conf << "\n# ct test harness\n"
       << "listen_addresses = '127.0.0.1'\n"
       << "unix_socket_directories = '" << dir_ << "'\n"
       << "fsync = off\n"
       << "synchronous_commit = off\n"
       << "full_page_writes = off\n"
       << "max_connections = 300\n"
       << "max_wal_size = '2GB'\n"
       << "log_min_messages = warning\n"
       << "log_min_error_statement = panic\n";
  if (!conf) return Status::Internal("writing " + data_dir_ + "/postgresql.conf");
  return Status::Ok();
}

Status PgServer::RunPg(const std::string& tool, const std::vector<std::string>& args,
                       const std::string& what) {
  std::vector<std::string> argv;
  if (as_postgres_user_) argv = {"/usr/sbin/runuser", "-u", "postgres", "--"};
  argv.push_back(bin_dir_ + "/" + tool);
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string cmd_log = dir_ + "/commands.log";
  const int rc = RunProcess(argv, dir_, cmd_log);
  if (rc != 0) {
    return Status::Unavailable(what + " failed (exit " + std::to_string(rc) +
                               "); output:\n" + ReadFile(cmd_log) + "\nserver log:\n" + ReadLog());
  }
  return Status::Ok();
}

std::string PgServer::ReadLog() const { return ReadFile(log_path_); }

Status PgServer::StartServer() {
  CT_RETURN_IF_ERROR(
      RunPg("pg_ctl", {"start", "-w", "-t", "60", "-D", data_dir_, "-l", log_path_}, "pg_ctl start"));
  running_ = true;
  return Status::Ok();
}

Status PgServer::StopServer() {
  if (!running_) return Status::Ok();
  CT_RETURN_IF_ERROR(RunPg("pg_ctl", {"stop", "-w", "-t", "60", "-D", data_dir_, "-m", "fast"},
                           "pg_ctl stop"));
  running_ = false;
  return Status::Ok();
}

PgServer::~PgServer() {
  if (running_) {
    (void)RunPg("pg_ctl", {"stop", "-w", "-t", "60", "-D", data_dir_, "-m", "immediate"},
                "pg_ctl stop");
  }
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

std::string PgServer::AdminUrl() const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/postgres";
}

Result<std::string> PgServer::CreateDatabase() {
  const std::string name = "ct_test_" + std::to_string(++next_db_);
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(AdminUrl().c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return Status::Unavailable("connecting to the test server: " +
                               std::string(PQerrorMessage(conn.get())));
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> res(
      PQexec(conn.get(), ("CREATE DATABASE " + name + " TEMPLATE template0").c_str()), &PQclear);
  if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
    return Status::Internal("CREATE DATABASE " + name + ": " +
                            std::string(PQerrorMessage(conn.get())));
  }
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

Result<PgServer*> SharedPgServer() {
  // Function-local statics: started once, thread-safe, destroyed (server stopped) at exit.
  static Result<std::unique_ptr<PgServer>> shared = PgServer::Start();
  if (!shared.ok()) return shared.status();
  return shared->get();
}

Result<std::string> FreshDatabaseUrl() {
  CT_ASSIGN_OR_RETURN(PgServer * server, SharedPgServer());
  return server->CreateDatabase();
}

}  // namespace ct::testing
