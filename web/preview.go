package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"strconv"

	"github.com/satchel-project/satchel/pod"
)

// Photos are shown as small previews made here, so that a cheap phone on a
// weak signal does not fetch a 3 MB photo to show it 300 pixels wide; the
// original stays for download. Previews are made when asked for (nothing
// more is stored, so deleting a photo or the account leaves no copy) and
// the browser keeps them in its own private cache: their address names the
// version of the photo, so they never go stale.

// previewMax is the longest side of a preview, in pixels: sharp on a
// phone's screen at full width, a small part of a photo's bytes.
const previewMax = 480

// previewPixels is the largest photo a preview is made of (about 50
// megapixels, more than any phone camera): anything bigger is refused
// rather than decoded, since decoding it would take that much memory.
const previewPixels = 50 << 20

// previewQuality is the JPEG quality of previews.
const previewQuality = 75

// previewSlots limits the previews being made at once, since each decodes
// a whole photo.
var previewSlots = make(chan struct{}, 2)

var errNoPreview = errors.New("no preview can be made of this file")

// previewHref is where the preview of file (at version etag) is.
func previewHref(file pod.Path, etag string) string {
	return "/my/file/" + file.Escaped() + "?preview=1&v=" + etagParam(etag)
}

func etagParam(etag string) string {
	b := []byte(etag)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}

// preview sends a small JPEG of the photo at path in the leaver's pod: 404
// for anything that is not a JPEG or PNG photo. The answer may be kept by
// the leaver's browser only (private), for a year when the address names
// the photo's current version, and is checked again otherwise.
func (p *Pages) preview(w http.ResponseWriter, r *http.Request, s *Session, path pod.Path) {
	st, err := p.Pods.Stat(r.Context(), s.Pod, path)
	if err != nil || st.ContentType != "image/jpeg" && st.ContentType != "image/png" {
		p.notFound(w, r, s)
		return
	}
	tag := `"preview-` + etagParam(st.ETag) + `"`
	hd := w.Header()
	hd.Set("Vary", "Cookie")
	if r.URL.Query().Get("v") == etagParam(st.ETag) {
		hd.Set("Cache-Control", "private, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "private, no-cache")
	}
	hd.Set("ETag", tag)
	if r.Header.Get("If-None-Match") == tag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body, ct, err := p.makePreview(r.Context(), s.Pod, path)
	if err != nil {
		hd.Set("Cache-Control", "no-store")
		hd.Del("ETag")
		if errors.Is(err, errNoPreview) {
			p.notFound(w, r, s)
			return
		}
		p.Log.ErrorContext(r.Context(), "making a preview failed", "err", err)
		p.fail(w, r, s)
		return
	}
	hd.Set("Content-Type", ct)
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	hd.Set("Content-Disposition", "inline")
	w.Write(body)
}

// makePreview reads the photo at path and returns its preview and the
// preview's content type: the photo itself when it is already small.
func (p *Pages) makePreview(ctx context.Context, id pod.PodID, path pod.Path) ([]byte, string, error) {
	select {
	case previewSlots <- struct{}{}:
		defer func() { <-previewSlots }()
	case <-ctx.Done():
		return nil, "", ctx.Err()
	}
	res, rc, err := p.Pods.Get(ctx, id, path)
	if err != nil {
		return nil, "", err
	}
	defer rc.Close()
	src, err := io.ReadAll(rc)
	if err != nil {
		return nil, "", err
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(src))
	if err != nil || format != "jpeg" && format != "png" {
		return nil, "", errNoPreview
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > previewPixels {
		return nil, "", errNoPreview
	}
	if cfg.Width <= previewMax && cfg.Height <= previewMax {
		return src, res.ContentType, nil
	}
	var img image.Image
	if format == "jpeg" {
		img, err = jpeg.Decode(bytes.NewReader(src))
	} else {
		img, err = png.Decode(bytes.NewReader(src))
	}
	if err != nil {
		return nil, "", errNoPreview
	}
	small := orient(shrink(img, previewMax), exifOrientation(src))
	var out bytes.Buffer
	if err := jpeg.Encode(&out, small, &jpeg.Options{Quality: previewQuality}); err != nil {
		return nil, "", err
	}
	return out.Bytes(), "image/jpeg", nil
}

// shrink scales img down to fit in max×max pixels, keeping its shape, by
// averaging the pixels that fall into each pixel of the result (a box
// filter), on white where the photo is see-through.
func shrink(img image.Image, max int) *image.RGBA {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	dw, dh := sw, sh
	if sw >= sh {
		dw, dh = max, (sh*max+sw/2)/sw
	} else {
		dw, dh = (sw*max+sh/2)/sh, max
	}
	dw, dh = maxInt(dw, 1), maxInt(dh, 1)
	sums := make([]uint64, dw*dh*4)
	counts := make([]uint32, dw*dh)
	col := make([]int, sw)
	for x := range col {
		col[x] = x * dw / sw
	}
	for y := 0; y < sh; y++ {
		row := (y * dh / sh) * dw
		for x := 0; x < sw; x++ {
			r, g, bl := pixel(img, b.Min.X+x, b.Min.Y+y)
			i := row + col[x]
			sums[i*4] += uint64(r)
			sums[i*4+1] += uint64(g)
			sums[i*4+2] += uint64(bl)
			counts[i]++
		}
	}
	out := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for i, n := range counts {
		if n == 0 {
			n = 1
		}
		out.Pix[i*4] = uint8(sums[i*4] / uint64(n))
		out.Pix[i*4+1] = uint8(sums[i*4+1] / uint64(n))
		out.Pix[i*4+2] = uint8(sums[i*4+2] / uint64(n))
		out.Pix[i*4+3] = 255
	}
	return out
}

// pixel is the colour at x, y as 8-bit red, green and blue, on white:
// quick for the kinds of image JPEG and PNG decode to.
func pixel(img image.Image, x, y int) (r, g, b uint8) {
	switch m := img.(type) {
	case *image.YCbCr:
		yi, ci := m.YOffset(x, y), m.COffset(x, y)
		return color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
	case *image.Gray:
		v := m.Pix[m.PixOffset(x, y)]
		return v, v, v
	case *image.NRGBA:
		i := m.PixOffset(x, y)
		a := uint32(m.Pix[i+3])
		over := func(c uint8) uint8 { return uint8((uint32(c)*a + 255*(255-a)) / 255) }
		return over(m.Pix[i]), over(m.Pix[i+1]), over(m.Pix[i+2])
	}
	cr, cg, cb, ca := img.At(x, y).RGBA() // premultiplied, 16-bit
	white := 0xffff - ca
	return uint8((cr + white) >> 8), uint8((cg + white) >> 8), uint8((cb + white) >> 8)
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// exifOrientation reads the orientation a camera wrote into a JPEG's EXIF
// block (1 to 8; 1, upright, if there is none), which browsers follow when
// they show the photo itself and so the preview must too.
func exifOrientation(jpg []byte) int {
	if len(jpg) < 4 || jpg[0] != 0xff || jpg[1] != 0xd8 {
		return 1
	}
	for i := 2; i+4 <= len(jpg); {
		if jpg[i] != 0xff {
			return 1
		}
		marker, size := jpg[i+1], int(binary.BigEndian.Uint16(jpg[i+2:]))
		if marker == 0xda || size < 2 || i+2+size > len(jpg) {
			return 1 // the image data: no EXIF before it
		}
		seg := jpg[i+4 : i+2+size]
		if marker == 0xe1 && len(seg) > 14 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		i += 2 + size
	}
	return 1
}

func tiffOrientation(t []byte) int {
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 1
	}
	n := int(bo.Uint16(t[off:]))
	for k := 0; k < n; k++ {
		e := off + 2 + k*12
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}

// orient turns img upright from EXIF orientation o.
func orient(img *image.RGBA, o int) *image.RGBA {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var nx, ny int
			switch o {
			case 2:
				nx, ny = w-1-x, y
			case 3:
				nx, ny = w-1-x, h-1-y
			case 4:
				nx, ny = x, h-1-y
			case 5:
				nx, ny = y, x
			case 6:
				nx, ny = h-1-y, x
			case 7:
				nx, ny = h-1-y, w-1-x
			case 8:
				nx, ny = y, w-1-x
			}
			si, di := img.PixOffset(x, y), out.PixOffset(nx, ny)
			copy(out.Pix[di:di+4], img.Pix[si:si+4])
		}
	}
	return out
}
