package s3store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/satchel-project/satchel/pod"
)

const (
	// partSize is the multipart part size when the object's size is not
	// known, and the smallest one otherwise. Each upload buffers one part.
	partSize = 16 << 20
	// maxParts is S3's limit on the parts of one upload.
	maxParts = 10000
	// abortTimeout bounds aborting a failed multipart upload.
	abortTimeout = 10 * time.Second
)

// Put implements pod.Putter. It streams r to the server, buffering at most
// one part (16 MiB or more, see partSize) in memory: objects of known size
// up to 16 MiB go in one PUT, larger ones and those of unknown size
// (size < 0, at most 156 GiB) as a multipart upload. The ObjectInfo's
// ModTime is the server's when it reports one and the local clock's
// otherwise.
//
// A condition is checked by the server on the request that makes the
// object visible (the PUT, or the one that completes a multipart upload),
// so it holds against writers in other processes too.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, cond pod.Cond) (pod.ObjectInfo, error) {
	name, err := s.object(key)
	if err != nil {
		return pod.ObjectInfo{}, err
	}
	unlock, err := s.locks.lock(ctx, name)
	if err != nil {
		return pod.ObjectInfo{}, fmt.Errorf("s3store: put %s: %w", key, err)
	}
	defer unlock()

	var condOpts minio.PutObjectOptions
	switch {
	case cond.IfNoneMatch:
		condOpts.SetMatchETagExcept("*")
	case cond.IfMatch != "":
		condOpts.SetMatchETag(cond.IfMatch)
	}
	opts := condOpts
	opts.ContentType = "application/octet-stream"

	er := &exactReader{r: r, size: size}
	var info minio.UploadInfo
	if (cond.IfNoneMatch || cond.IfMatch != "") && (size < 0 || size > partSize) {
		// PutObject would send the condition only when the multipart upload
		// starts, not when it completes: do the upload here instead.
		info, err = s.putMultipart(ctx, name, er, size, opts, condOpts)
	} else {
		if size < 0 {
			opts.PartSize = partSize
		}
		info, err = s.client.PutObject(ctx, s.bucket, name, er, size, opts)
	}
	if er.err != nil {
		// The reader failed or gave the wrong number of bytes, so the
		// upload was cut short and the server stored nothing.
		return pod.ObjectInfo{}, fmt.Errorf("s3store: put %s: %w", key, er.err)
	}
	if err != nil {
		if cond.IfMatch != "" && !cond.IfNoneMatch && minio.ToErrorResponse(err).Code == "NoSuchKey" {
			// If-Match on a missing object.
			return pod.ObjectInfo{}, fmt.Errorf("s3store: put %s: %w", key, pod.ErrPrecondition)
		}
		return pod.ObjectInfo{}, mapErr("put "+key, err)
	}
	if size >= 0 && info.Size != size {
		return pod.ObjectInfo{}, fmt.Errorf("s3store: put %s: server stored %d bytes, want %d", key, info.Size, size)
	}
	mod := info.LastModified
	if mod.IsZero() {
		mod = time.Now()
	}
	return pod.ObjectInfo{Key: key, Size: info.Size, ETag: info.ETag, ModTime: mod}, nil
}

// putMultipart uploads r as a multipart upload, sending the condition in
// condOpts both when the upload starts (to fail early) and when it
// completes (where it counts).
func (s *Store) putMultipart(ctx context.Context, name string, r io.Reader, size int64, opts, condOpts minio.PutObjectOptions) (info minio.UploadInfo, err error) {
	ps := int64(partSize)
	if size > 0 {
		// Round up to whole MiB so that maxParts parts hold size bytes.
		if need := (size + maxParts - 1) / maxParts; need > ps {
			ps = (need + 1<<20 - 1) &^ (1<<20 - 1)
		}
	}
	id, err := s.core.NewMultipartUpload(ctx, s.bucket, name, opts)
	if err != nil {
		return info, err
	}
	defer func() {
		if err != nil {
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
			defer cancel()
			_ = s.core.AbortMultipartUpload(actx, s.bucket, name, id)
		}
	}()
	buf := make([]byte, ps)
	var parts []minio.CompletePart
	var total int64
	for n := 1; ; n++ {
		got, rerr := io.ReadFull(r, buf)
		if rerr == io.EOF && n > 1 {
			break
		}
		if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
			return info, rerr
		}
		if n > maxParts {
			return info, fmt.Errorf("object larger than %d parts of %d bytes", maxParts, ps)
		}
		p, err := s.core.PutObjectPart(ctx, s.bucket, name, id, n, bytes.NewReader(buf[:got]), int64(got), minio.PutObjectPartOptions{})
		if err != nil {
			return info, err
		}
		parts = append(parts, minio.CompletePart{PartNumber: n, ETag: p.ETag})
		total += int64(got)
		if rerr != nil {
			break // a short part is the last one
		}
	}
	info, err = s.core.CompleteMultipartUpload(ctx, s.bucket, name, id, parts, condOpts)
	if err != nil {
		return info, err
	}
	info.Size = total
	return info, nil
}

// exactReader passes on the bytes of r and fails (setting err) if r fails
// or, when size >= 0, gives fewer or more than size bytes. It withholds the
// bytes of the read that finds the problem, so the upload it feeds is
// always cut short and the server never sees a complete request.
type exactReader struct {
	r    io.Reader
	size int64 // < 0: unknown
	n    int64
	err  error
	done bool
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	if e.done {
		return 0, io.EOF
	}
	if e.size >= 0 && int64(len(p)) > e.size-e.n {
		p = p[:e.size-e.n]
	}
	var n int
	var err error
	if len(p) > 0 || e.size < 0 {
		n, err = e.r.Read(p)
	}
	e.n += int64(n)
	switch {
	case err != nil && err != io.EOF:
		return e.fail(err)
	case e.size < 0:
		e.done = err == io.EOF
		return n, err
	case err == io.EOF && e.n < e.size:
		return e.fail(fmt.Errorf("got %d bytes, want %d", e.n, e.size))
	case e.n < e.size:
		return n, nil
	}
	// That was the last byte we want: r must be at its end.
	if err != io.EOF {
		var b [1]byte
		m, err := io.ReadFull(e.r, b[:])
		if m > 0 {
			return e.fail(fmt.Errorf("got more than %d bytes", e.size))
		}
		if err != io.EOF {
			return e.fail(err)
		}
	}
	e.done = true
	return n, io.EOF
}

func (e *exactReader) fail(err error) (int, error) {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	e.err = err
	return 0, err
}
