// Package qr turns a share link into a QR code that a cheap phone camera can
// read from a printed page, as a PNG or as a compact SVG. It encodes at error
// correction level Q and always draws the four-module quiet zone that
// ISO/IEC 18004 requires; the encoding itself is done by
// github.com/skip2/go-qrcode, and this package draws the images.
package qr

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"

	qrcode "github.com/skip2/go-qrcode"
)

// MaxTextLen is the longest text, in bytes, that Encode accepts. A share
// link is well under 100 bytes; anything near this limit would already need
// a QR version too dense for a cheap camera reading a printed page.
const MaxTextLen = 512

// QuietZone is the width, in modules, of the white border drawn on every
// side of the code, the minimum ISO/IEC 18004 requires.
const QuietZone = 4

// DefaultScale is the number of pixels per module side that PNG uses when
// given a scale of zero or less: a version 5 code (a typical share link)
// then comes out 360 pixels square, about 3 cm at 300 dpi.
const DefaultScale = 8

// MaxScale is the largest scale PNG accepts, which keeps the biggest
// possible image (version 40) under 6,000 pixels square.
const MaxScale = 32

// DefaultTitle is the accessible title SVG gives the image.
const DefaultTitle = "QR code"

// ErrTooLong is returned by Encode for text longer than MaxTextLen bytes.
var ErrTooLong = fmt.Errorf("qr: text longer than %d bytes", MaxTextLen)

// ErrEmpty is returned by Encode for empty text.
var ErrEmpty = errors.New("qr: empty text")

// Level is a QR code error-correction level.
type Level int

// The four error-correction levels of ISO/IEC 18004, with the approximate
// share of codewords each can restore.
const (
	LevelL Level = iota // about 7%
	LevelM              // about 15%
	LevelQ              // about 25%
	LevelH              // about 30%
)

// String returns the level's one-letter name: "L", "M", "Q" or "H".
func (l Level) String() string {
	switch l {
	case LevelL:
		return "L"
	case LevelM:
		return "M"
	case LevelQ:
		return "Q"
	case LevelH:
		return "H"
	}
	return "Level(" + strconv.Itoa(int(l)) + ")"
}

// EncodeLevel is the error-correction level Encode uses.
//
// It is Q rather than the commonly used M because these codes are printed
// and carried: a page folded into a pocket, creased, smudged or written on
// must still scan, and Q restores about 25% of the codewords where M
// restores about 15%. The price is size: a typical share link of about 53
// bytes needs version 5 (37 modules a side) at Q where M would need
// version 4 (33), and a 78-byte link with a port and a longer token needs
// version 7 (45) against 5 (37). Both stay well within what a cheap camera
// reads from a code a few centimetres wide. H would push the typical link
// to version 6 for little further gain.
const EncodeLevel = LevelQ

// Code is an encoded QR code: its square module matrix, without the quiet
// zone, together with its version and error-correction level. A Code does
// not change once made and is safe for concurrent use.
type Code struct {
	size    int    // modules per side, 17 + 4*version
	version int    // 1 to 40
	level   Level  // error-correction level
	dark    []bool // size*size, row-major: dark[y*size+x]
}

// Encode encodes text, typically a share link, as a QR code at level
// EncodeLevel in the smallest version that holds it. Text is encoded as its
// bytes. It returns ErrEmpty for empty text and ErrTooLong for text over
// MaxTextLen bytes.
func Encode(text string) (*Code, error) {
	if text == "" {
		return nil, ErrEmpty
	}
	if len(text) > MaxTextLen {
		return nil, ErrTooLong
	}
	return encode(text, EncodeLevel)
}

// encode does Encode's work at any level.
func encode(text string, level Level) (c *Code, err error) {
	var lib qrcode.RecoveryLevel
	switch level {
	case LevelL:
		lib = qrcode.Low
	case LevelM:
		lib = qrcode.Medium
	case LevelQ:
		lib = qrcode.High // the library's "High" is level Q
	case LevelH:
		lib = qrcode.Highest
	default:
		return nil, fmt.Errorf("qr: unknown level %v", level)
	}
	// The library reports internal inconsistencies by panicking; turn any
	// such panic into an error rather than take the caller down with it.
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, fmt.Errorf("qr: encoding failed: %v", r)
		}
	}()
	q, err := qrcode.New(text, lib)
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	q.DisableBorder = true // the quiet zone is drawn here, not by the library
	// Bitmap must be called only once: the library appends padding to its
	// own state each time it builds the symbol.
	bm := q.Bitmap()
	size := len(bm)
	if q.VersionNumber < 1 || q.VersionNumber > 40 || size != 17+4*q.VersionNumber {
		return nil, fmt.Errorf("qr: library returned a %d-module matrix for version %d", size, q.VersionNumber)
	}
	c = &Code{size: size, version: q.VersionNumber, level: level, dark: make([]bool, size*size)}
	for y, row := range bm {
		if len(row) != size {
			return nil, fmt.Errorf("qr: library returned a ragged matrix")
		}
		copy(c.dark[y*size:], row)
	}
	return c, nil
}

// Version returns the code's QR version, 1 to 40.
func (c *Code) Version() int { return c.version }

// Level returns the code's error-correction level.
func (c *Code) Level() Level { return c.level }

// Size returns the number of modules per side, not counting the quiet zone
// (17 + 4 × Version).
func (c *Code) Size() int { return c.size }

// Dark reports whether the module at column x, row y is dark, with (0, 0)
// the top-left module of the code proper. Coordinates outside the code,
// including the quiet zone, are light.
func (c *Code) Dark(x, y int) bool {
	if x < 0 || y < 0 || x >= c.size || y >= c.size {
		return false
	}
	return c.dark[y*c.size+x]
}

// bw is the palette of the PNG: index 0 white, index 1 black. Two colours
// make image/png write a 1-bit image.
var bw = color.Palette{color.Gray{Y: 0xff}, color.Gray{Y: 0x00}}

// PNG renders the code as a 1-bit black-on-white PNG with a quiet zone of
// QuietZone modules on every side, each module scale pixels square. A scale
// of zero or less means DefaultScale; a scale over MaxScale is an error. The
// image is (Size()+2*QuietZone)*scale pixels square.
func (c *Code) PNG(scale int) ([]byte, error) {
	if scale <= 0 {
		scale = DefaultScale
	}
	if scale > MaxScale {
		return nil, fmt.Errorf("qr: scale %d over the maximum of %d", scale, MaxScale)
	}
	side := (c.size + 2*QuietZone) * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), bw)
	// Pix starts all zero, that is white; draw each module row once and
	// copy it down for the rest of its scale rows.
	for y := 0; y < c.size; y++ {
		top := (y + QuietZone) * scale
		row := img.Pix[top*img.Stride : top*img.Stride+side]
		for x := 0; x < c.size; x++ {
			if c.dark[y*c.size+x] {
				left := (x + QuietZone) * scale
				for i := left; i < left+scale; i++ {
					row[i] = 1
				}
			}
		}
		for k := 1; k < scale; k++ {
			copy(img.Pix[(top+k)*img.Stride:], row)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	return buf.Bytes(), nil
}

// SVG renders the code as a compact SVG titled DefaultTitle; see SVGTitled.
func (c *Code) SVG() []byte { return c.SVGTitled(DefaultTitle) }

// SVGTitled renders the code as a compact, standalone SVG whose <title>,
// read out by screen readers, is title (escaped as XML text). One user unit
// is one module: the viewBox spans the code and its quiet zone, a white
// rectangle fills it so the quiet zone stays white on any background, and
// the dark modules are a single <path> drawn with crispEdges. The width and
// height attributes give the same size in pixels as PNG at DefaultScale.
func (c *Code) SVGTitled(title string) []byte {
	n := c.size + 2*QuietZone
	ns := strconv.Itoa(n)
	px := strconv.Itoa(n * DefaultScale)
	var b bytes.Buffer
	b.Grow(256 + len(title) + c.size*c.size*3)
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" version="1.1" role="img" width="`)
	b.WriteString(px)
	b.WriteString(`" height="`)
	b.WriteString(px)
	b.WriteString(`" viewBox="0 0 `)
	b.WriteString(ns)
	b.WriteByte(' ')
	b.WriteString(ns)
	b.WriteString(`"><title>`)
	xml.EscapeText(&b, []byte(title)) // writes to a bytes.Buffer cannot fail
	b.WriteString(`</title><rect width="`)
	b.WriteString(ns)
	b.WriteString(`" height="`)
	b.WriteString(ns)
	b.WriteString(`" fill="#fff"/><path fill="#000" shape-rendering="crispEdges" d="`)
	// One closed rectangle per horizontal run of dark modules:
	// "M x y h run v1 h -run z".
	for y := 0; y < c.size; y++ {
		row := c.dark[y*c.size : (y+1)*c.size]
		for x := 0; x < c.size; {
			if !row[x] {
				x++
				continue
			}
			run := 1
			for x+run < c.size && row[x+run] {
				run++
			}
			b.WriteByte('M')
			b.WriteString(strconv.Itoa(x + QuietZone))
			b.WriteByte(' ')
			b.WriteString(strconv.Itoa(y + QuietZone))
			b.WriteByte('h')
			b.WriteString(strconv.Itoa(run))
			b.WriteString("v1h-")
			b.WriteString(strconv.Itoa(run))
			b.WriteByte('z')
			x += run
		}
	}
	b.WriteString(`"/></svg>`)
	b.WriteByte('\n')
	return b.Bytes()
}
