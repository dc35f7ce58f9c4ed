package s3store

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/minio/minio-go/v7"

	"github.com/satchel-project/satchel/pod"
)

// Get implements pod.Getter. An error while reading the object's body that
// comes from a lost connection wraps pod.ErrUnavailable.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, pod.ObjectInfo, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, pod.ObjectInfo{}, err
	}
	rc, oi, _, err := s.core.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, pod.ObjectInfo{}, mapErr("get "+key, err)
	}
	return body{rc: rc, key: key}, info(key, oi), nil
}

// Stat implements pod.Getter.
func (s *Store) Stat(ctx context.Context, key string) (pod.ObjectInfo, error) {
	name, err := s.object(key)
	if err != nil {
		return pod.ObjectInfo{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	if err != nil {
		return pod.ObjectInfo{}, mapErr("stat "+key, err)
	}
	return info(key, oi), nil
}

// Delete implements pod.Putter. S3 deletes a missing object without
// complaint, so Delete first reads the object's ETag to report ErrNotExist
// and to check a condition. The server does not check the condition again
// when it deletes: see the package comment for what that allows.
func (s *Store) Delete(ctx context.Context, key string, cond pod.Cond) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	if cond.IfNoneMatch || cond.IfMatch != "" {
		unlock, err := s.locks.lock(ctx, name)
		if err != nil {
			return fmt.Errorf("s3store: delete %s: %w", key, err)
		}
		defer unlock()
	}
	oi, err := s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	if err != nil {
		return mapErr("delete "+key, err)
	}
	if cond.IfNoneMatch || (cond.IfMatch != "" && oi.ETag != cond.IfMatch) {
		return fmt.Errorf("s3store: delete %s: %w", key, pod.ErrPrecondition)
	}
	if err := s.client.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{}); err != nil {
		return mapErr("delete "+key, err)
	}
	return nil
}

// List implements pod.Lister. It lists in key order, a page at a time.
func (s *Store) List(ctx context.Context, prefix string, fn func(pod.ObjectInfo) error) error {
	if strings.HasPrefix(prefix, "/") || strings.Contains(prefix, "..") || !validChars(prefix) {
		return fmt.Errorf("s3store: invalid prefix %q", prefix)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing if fn stops it early
	opts := minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true}
	for oi := range s.client.ListObjectsIter(ctx, s.bucket, opts) {
		if oi.Err != nil {
			return mapErr("list "+prefix, oi.Err)
		}
		if err := fn(info(strings.TrimPrefix(oi.Key, s.prefix), oi)); err != nil {
			return err
		}
	}
	return nil
}

func info(key string, oi minio.ObjectInfo) pod.ObjectInfo {
	return pod.ObjectInfo{Key: key, Size: oi.Size, ETag: strings.Trim(oi.ETag, `"`), ModTime: oi.LastModified}
}
