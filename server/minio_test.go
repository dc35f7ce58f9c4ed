package server_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// s3Env returns the settings of the MinIO server that scripts/minio
// started, or skips the test.
func s3Env(t *testing.T) (spec string, getenv func(string) string) {
	t.Helper()
	spec = os.Getenv("SATCHEL_TEST_S3")
	if spec == "" {
		t.Skip("set SATCHEL_TEST_S3 or run scripts/minio go test ./server/ to test against a real MinIO server")
	}
	return spec, os.Getenv
}

// prefixed gives a storage URL its own key prefix, so tests sharing one
// bucket never see each other's objects.
func prefixed(spec string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return spec + "&create=true&prefix=t" + hex.EncodeToString(b)
}

// minioProc is a MinIO server of a test's own, which the test may stop and
// start again on the same address and data directory.
type minioProc struct {
	t          *testing.T
	bin, dir   string
	addr       string
	user, pass string
	cmd        *exec.Cmd
}

// ownMinIO starts a private MinIO server, or skips the test if the binary
// scripts/minio built is not known.
func ownMinIO(t *testing.T) *minioProc {
	t.Helper()
	bin := os.Getenv("SATCHEL_TEST_MINIO_BIN")
	if bin == "" {
		t.Skip("run scripts/minio go test ./server/ to test MinIO faults")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	m := &minioProc{t: t, bin: bin, dir: t.TempDir(), addr: addr, user: "satchel-test", pass: hex.EncodeToString([]byte(t.Name()))[:20] + "-pw"}
	m.start()
	t.Cleanup(m.stop)
	return m
}

func (m *minioProc) spec() string {
	return fmt.Sprintf("s3://fault-test?endpoint=%s&region=us-east-1&tls=false&create=true", m.addr)
}

func (m *minioProc) getenv(k string) string {
	switch k {
	case "AWS_ACCESS_KEY_ID":
		return m.user
	case "AWS_SECRET_ACCESS_KEY":
		return m.pass
	}
	return ""
}

func (m *minioProc) start() {
	m.t.Helper()
	m.cmd = exec.Command(m.bin, "server", "--quiet", "--address", m.addr, "--console-address", "127.0.0.1:0", m.dir)
	m.cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+m.user, "MINIO_ROOT_PASSWORD="+m.pass)
	m.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := m.cmd.Start(); err != nil {
		m.t.Fatal(err)
	}
	// Wait for the process to come up: a bounded readiness poll of an
	// external program, not synchronisation between our own goroutines.
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + m.addr + "/minio/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	m.t.Fatalf("MinIO did not become ready on %s", m.addr)
}

func (m *minioProc) stop() {
	if m.cmd == nil || m.cmd.Process == nil {
		return
	}
	syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
	m.cmd.Wait()
	m.cmd = nil
}
