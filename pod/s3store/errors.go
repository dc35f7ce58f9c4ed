package s3store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"

	"github.com/minio/minio-go/v7"

	"github.com/satchel-project/satchel/pod"
)

// unavailableCodes are S3 error codes that mean "try again later".
var unavailableCodes = map[string]bool{
	"SlowDown":                   true,
	"ServiceUnavailable":         true,
	"InternalError":              true,
	"RequestTimeout":             true,
	"XMinioServerNotInitialized": true,
	"XMinioStorageFull":          true,
	"NoSuchBucket":               true, // the store as a whole is missing
}

// mapErr translates an error from the SDK into one that wraps pod's errors
// where one applies. what says what was being done ("get KEY"). No SDK
// type is wrapped: the result holds only its text, which names the server
// and the object but never the credentials.
func mapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	var er minio.ErrorResponse
	if errors.As(err, &er) {
		switch {
		case er.Code == "NoSuchKey":
			return fmt.Errorf("s3store: %s: %w", what, pod.ErrNotExist)
		case er.Code == "PreconditionFailed" || er.StatusCode == http.StatusPreconditionFailed:
			return fmt.Errorf("s3store: %s: %w", what, pod.ErrPrecondition)
		case unavailableCodes[er.Code] || er.StatusCode >= 500:
			return fmt.Errorf("s3store: %s: %w: %s %s", what, pod.ErrUnavailable, codeOrStatus(er), er.Message)
		}
		return fmt.Errorf("s3store: %s: %s: %s", what, codeOrStatus(er), er.Message)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("s3store: %s: %w", what, context.Canceled)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		// The caller's deadline passed while waiting for the server.
		return fmt.Errorf("s3store: %s: %w (%w)", what, pod.ErrUnavailable, context.DeadlineExceeded)
	}
	if transportErr(err) {
		return fmt.Errorf("s3store: %s: %w: %s", what, pod.ErrUnavailable, err.Error())
	}
	return fmt.Errorf("s3store: %s: %s", what, err.Error())
}

// transportErr reports whether err comes from talking to the server rather
// than from the server's answer: refused or reset connections, timeouts,
// DNS failures, connections closed mid-response.
func transportErr(err error) bool {
	var ue *url.Error
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	return errors.As(err, &ue) || errors.As(err, &oe) || errors.As(err, &de) ||
		(errors.As(err, &ne) && ne.Timeout()) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

func codeOrStatus(er minio.ErrorResponse) string {
	if er.Code != "" {
		return er.Code
	}
	return fmt.Sprintf("HTTP %d", er.StatusCode)
}

// body wraps an object's body so that a connection lost while reading it is
// reported as pod.ErrUnavailable.
type body struct {
	rc  io.ReadCloser
	key string
}

func (b body) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err != nil && err != io.EOF {
		err = mapErr("read "+b.key, err)
	}
	return n, err
}

func (b body) Close() error { return b.rc.Close() }
