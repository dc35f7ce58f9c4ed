package web

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// withOrientation returns jpg with an EXIF block saying orientation o, as
// a phone camera writes it.
func withOrientation(jpg []byte, o byte) []byte {
	tiff := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, o, 0, 0, 0, 0, 0, 0}
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := append([]byte{0xff, 0xe1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}, seg...)
	return append(append(append([]byte{}, jpg[:2]...), app1...), jpg[2:]...)
}

func TestPreviewTurnsUpright(t *testing.T) {
	// 600×300, left half black, right half white, taken sideways (6: the
	// camera was turned a quarter clockwise).
	img := image.NewGray(image.Rect(0, 0, 600, 300))
	for y := 0; y < 300; y++ {
		for x := 300; x < 600; x++ {
			img.SetGray(x, y, color.Gray{255})
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, nil)
	jpg := withOrientation(buf.Bytes(), 6)
	if o := exifOrientation(jpg); o != 6 {
		t.Fatalf("orientation %d, want 6", o)
	}
	if o := exifOrientation(buf.Bytes()); o != 1 {
		t.Fatalf("orientation without EXIF %d, want 1", o)
	}
	dec, err := jpeg.Decode(bytes.NewReader(jpg))
	if err != nil {
		t.Fatal(err)
	}
	small := orient(shrink(dec, previewMax), exifOrientation(jpg))
	if b := small.Bounds(); b.Dx() != 240 || b.Dy() != 480 {
		t.Fatalf("preview %v, want 240×480", b)
	}
	// Turned upright, the black half is at the top.
	if top, bottom := small.RGBAAt(120, 10).R, small.RGBAAt(120, 470).R; top > 30 || bottom < 225 {
		t.Errorf("top %d, bottom %d: want black above white", top, bottom)
	}
}
