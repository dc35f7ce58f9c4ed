package fsstore_test

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/fsstore"
)

// BenchmarkPutParallel replaces 1.2 KB objects of one directory from 32
// writers at once, as a server under 32 connections of PUTs does: each
// write is a temporary file, its flush, a rename and a flush of the
// directory.
func BenchmarkPutParallel(b *testing.B) {
	s, err := fsstore.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 1200)
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := fmt.Sprintf("pods/p/o/%02d", n.Add(1)%64)
			if _, err := s.Put(context.Background(), key, bytes.NewReader(body), int64(len(body)), pod.Cond{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
