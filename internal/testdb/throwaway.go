package testdb

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// getenv is os.Getenv; tests never read configuration any other way.
func getenv(k string) string { return os.Getenv(k) }

// startThrowaway starts (or reuses) a private server under the temp dir.
// Test processes share it through a lock file, so one `go test ./...` starts
// at most one server per engine; it is left running for the next packages.
func startThrowaway(driver string) (string, error) {
	base := filepath.Join(os.TempDir(), "dolibarr-testdb-"+driver)
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(filepath.Join(base, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	portFile := filepath.Join(base, "port")
	if b, err := os.ReadFile(portFile); err == nil {
		dsn := throwawayDSN(driver, strings.TrimSpace(string(b)))
		if ping(driver, dsn) == nil {
			return dsn, nil
		}
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	switch driver {
	case "postgres":
		err = startPostgres(base, port)
	case "mysql":
		err = startMariaDB(base, port)
	default:
		err = fmt.Errorf("no throwaway server for %s", driver)
	}
	if err != nil {
		return "", fmt.Errorf("starting a throwaway %s server: %w", driver, err)
	}
	dsn := throwawayDSN(driver, strconv.Itoa(port))
	deadline := time.Now().Add(60 * time.Second)
	for ping(driver, dsn) != nil {
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(base, "server.log"))
			return "", fmt.Errorf("throwaway %s server did not answer within 60 s; its log:\n%s", driver, tail(string(log), 2000))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := os.WriteFile(portFile, []byte(strconv.Itoa(port)), 0o600); err != nil {
		return "", err
	}
	return dsn, nil
}

func throwawayDSN(driver, port string) string {
	if driver == "postgres" {
		return "postgres://postgres@127.0.0.1:" + port + "/postgres?sslmode=disable"
	}
	return "root@tcp(127.0.0.1:" + port + ")/"
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// ensureInstalled finds a binary by glob, installing pkg with apt-get when
// it is missing and we are root.
func ensureInstalled(glob, pkg string) (string, error) {
	if m, _ := filepath.Glob(glob); len(m) > 0 {
		return m[len(m)-1], nil
	}
	if os.Geteuid() != 0 {
		return "", fmt.Errorf("%s is not installed (package %s) and we are not root to install it", glob, pkg)
	}
	for _, args := range [][]string{{"update"}, {"install", "-y", "--no-install-recommends", pkg}} {
		cmd := exec.Command("apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("apt-get %s: %w\n%s", strings.Join(args, " "), err, tail(string(out), 2000))
		}
	}
	if m, _ := filepath.Glob(glob); len(m) > 0 {
		return m[len(m)-1], nil
	}
	return "", fmt.Errorf("%s still missing after installing %s", glob, pkg)
}

// detach starts cmd in its own session so it outlives this test process.
func detach(cmd *exec.Cmd, logPath string) error {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setsid = true
	if err := cmd.Start(); err != nil {
		return err
	}
	return cmd.Process.Release()
}

func startPostgres(base string, port int) error {
	initdb, err := ensureInstalled("/usr/lib/postgresql/*/bin/initdb", "postgresql")
	if err != nil {
		return err
	}
	bin := filepath.Dir(initdb)
	data := filepath.Join(base, "data")
	var cred *syscall.Credential
	if os.Geteuid() == 0 { // PostgreSQL refuses to run as root
		u, err := user.Lookup("postgres")
		if err != nil {
			return errors.New("running as root and there is no postgres user to run the server as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(base, uid, gid); err != nil {
			return err
		}
	}
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err != nil {
		_ = os.RemoveAll(data)
		cmd := exec.Command(initdb, "-D", data, "-U", "postgres", "--auth=trust", "--no-sync")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("initdb: %w\n%s", err, tail(string(out), 2000))
		}
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+base,
		"-c", "fsync=off", "-c", "max_connections=300")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	logPath := filepath.Join(base, "server.log")
	if cred != nil {
		f, err := os.Create(logPath)
		if err == nil {
			_ = f.Close()
			_ = os.Chown(logPath, int(cred.Uid), int(cred.Gid))
		}
	}
	return detach(cmd, logPath)
}

func startMariaDB(base string, port int) error {
	mysqld, err := ensureInstalled("/usr/sbin/mariadbd", "mariadb-server")
	if err != nil {
		return err
	}
	installDB, err := exec.LookPath("mariadb-install-db")
	if err != nil {
		return err
	}
	data := filepath.Join(base, "data")
	if _, err := os.Stat(filepath.Join(data, "mysql")); err != nil {
		_ = os.RemoveAll(data)
		cmd := exec.Command(installDB, "--no-defaults", "--datadir="+data, "--user=root",
			"--auth-root-authentication-method=normal", "--skip-test-db")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("mariadb-install-db: %w\n%s", err, tail(string(out), 2000))
		}
	}
	cmd := exec.Command(mysqld, "--no-defaults", "--datadir="+data, "--port="+strconv.Itoa(port),
		"--bind-address=127.0.0.1", "--socket="+filepath.Join(base, "mysqld.sock"), "--user=root",
		"--pid-file="+filepath.Join(base, "mysqld.pid"), "--innodb-flush-log-at-trx-commit=2", "--max-connections=500")
	return detach(cmd, filepath.Join(base, "server.log"))
}
