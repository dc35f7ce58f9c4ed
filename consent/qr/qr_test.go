package qr

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zqr "github.com/makiuchi-d/gozxing/qrcode"
)

// token returns n bytes of fixed, varied data as unpadded base64url, so that
// the token uses upper and lower case, digits, '-' and '_' like a real one.
func token(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*97 + 251)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

var (
	// typicalURL is a share link as Satchel prints it: a 16-byte token.
	typicalURL = "https://satchel.example.org/s/" + token(16)
	// longURL has a port and a 32-byte token.
	longURL = "https://satchel.example.org:8443/s/" + token(32)
)

func TestShareURLShapes(t *testing.T) {
	if n := len(token(16)); n != 22 {
		t.Fatalf("typical token is %d chars, want 22", n)
	}
	if n := len(token(32)); n != 43 {
		t.Fatalf("long token is %d chars, want 43", n)
	}
	if !strings.ContainsAny(typicalURL+longURL, "-_") {
		t.Fatalf("tokens use no base64url-only characters: %s %s", typicalURL, longURL)
	}
}

// decodePNG reads a PNG and decodes the QR code in it as a phone app would,
// by finding the finder patterns rather than assuming a clean image. It
// returns the text and the error-correction level the decoder saw.
func decodePNG(t testing.TB, data []byte) (text, level string) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	return decodeImage(t, img)
}

func decodeImage(t testing.TB, img image.Image) (text, level string) {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(gozxing.NewLuminanceSourceFromImage(img)))
	if err != nil {
		t.Fatalf("gozxing.NewBinaryBitmap: %v", err)
	}
	res, err := zqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decoding the QR code: %v", err)
	}
	level, _ = res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL].(string)
	return res.GetText(), level
}

func mustEncode(t testing.TB, text string) *Code {
	t.Helper()
	c, err := Encode(text)
	if err != nil {
		t.Fatalf("Encode(%q): %v", text, err)
	}
	return c
}

func TestEncodeShareURLs(t *testing.T) {
	for _, tc := range []struct {
		name, url  string
		wantLen    int
		wantV      int // at level Q
		wantVAtM   int // what level M would have needed, for the doc comment
		wantLevelQ Level
	}{
		{"typical", typicalURL, 52, 5, 4, LevelQ},
		{"long", longURL, 78, 7, 5, LevelQ},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.url) != tc.wantLen {
				t.Fatalf("%s is %d bytes, want %d", tc.url, len(tc.url), tc.wantLen)
			}
			c := mustEncode(t, tc.url)
			if c.Level() != tc.wantLevelQ || c.Level() != EncodeLevel {
				t.Errorf("level %v, want %v", c.Level(), tc.wantLevelQ)
			}
			if c.Version() != tc.wantV {
				t.Errorf("version %d, want %d", c.Version(), tc.wantV)
			}
			if c.Size() != 17+4*c.Version() {
				t.Errorf("size %d for version %d, want %d", c.Size(), c.Version(), 17+4*c.Version())
			}
			m, err := encode(tc.url, LevelM)
			if err != nil {
				t.Fatal(err)
			}
			if m.Version() != tc.wantVAtM {
				t.Errorf("at level M: version %d, want %d", m.Version(), tc.wantVAtM)
			}
			p, err := c.PNG(0)
			if err != nil {
				t.Fatal(err)
			}
			side := (c.Size() + 2*QuietZone) * DefaultScale
			t.Logf("%s (%d bytes): version %d-%v, %d×%d modules (version %d at M); default PNG %d×%d px, %d bytes; SVG %d bytes",
				tc.url, len(tc.url), c.Version(), c.Level(), c.Size(), c.Size(), m.Version(), side, side, len(p), len(c.SVG()))
		})
	}
}

func TestPNGDecodes(t *testing.T) {
	for _, url := range []string{typicalURL, longURL} {
		c := mustEncode(t, url)
		for _, scale := range []int{0, DefaultScale, 3, 2, 1} {
			t.Run(fmt.Sprintf("v%d/scale%d", c.Version(), scale), func(t *testing.T) {
				p, err := c.PNG(scale)
				if err != nil {
					t.Fatal(err)
				}
				cfg, err := png.DecodeConfig(bytes.NewReader(p))
				if err != nil {
					t.Fatal(err)
				}
				s := scale
				if s <= 0 {
					s = DefaultScale
				}
				side := (c.Size() + 2*QuietZone) * s
				if cfg.Width != side || cfg.Height != side {
					t.Errorf("PNG is %d×%d, want %d×%d", cfg.Width, cfg.Height, side, side)
				}
				// IHDR: 8-byte signature, 4 length, 4 type, 4 width,
				// 4 height, then bit depth and colour type.
				if depth, ctype := p[24], p[25]; depth != 1 || ctype != 3 {
					t.Errorf("PNG bit depth %d colour type %d, want a 1-bit palette image", depth, ctype)
				}
				text, level := decodePNG(t, p)
				if text != url {
					t.Errorf("decoded %q, want %q", text, url)
				}
				if level != "Q" {
					t.Errorf("decoder saw level %q, want Q", level)
				}
			})
		}
	}
}

func TestPNGModulesAndQuietZone(t *testing.T) {
	c := mustEncode(t, typicalURL)
	for _, scale := range []int{1, DefaultScale} {
		p, err := c.PNG(scale)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		side := (c.Size() + 2*QuietZone) * scale
		for py := 0; py < side; py++ {
			for px := 0; px < side; px++ {
				mx, my := px/scale-QuietZone, py/scale-QuietZone
				inQuiet := mx < 0 || my < 0 || mx >= c.Size() || my >= c.Size()
				g := color.GrayModel.Convert(img.At(px, py)).(color.Gray).Y
				switch {
				case inQuiet && g != 0xff:
					t.Fatalf("scale %d: quiet-zone pixel (%d,%d) is %#x, want white", scale, px, py, g)
				case !inQuiet && c.Dark(mx, my) && g != 0:
					t.Fatalf("scale %d: pixel (%d,%d) of dark module (%d,%d) is %#x", scale, px, py, mx, my, g)
				case !inQuiet && !c.Dark(mx, my) && g != 0xff:
					t.Fatalf("scale %d: pixel (%d,%d) of light module (%d,%d) is %#x", scale, px, py, mx, my, g)
				}
			}
		}
	}
	// The top-left finder pattern: a dark 7×7 ring, a light ring, a dark
	// 3×3 centre.
	for i := 0; i < 7; i++ {
		for _, m := range [][2]int{{i, 0}, {0, i}, {i, 6}, {6, i}} {
			if !c.Dark(m[0], m[1]) {
				t.Fatalf("finder ring module %v is light", m)
			}
		}
	}
	if c.Dark(1, 1) || !c.Dark(3, 3) {
		t.Fatal("finder pattern interior is wrong")
	}
	if c.Dark(-1, 0) || c.Dark(0, c.Size()) {
		t.Fatal("Dark outside the code should be false")
	}
}

// TestPNGSmudged shows why error correction matters: two blots, one dark and
// one light, each over a 6×6-module block of the data area as a thumbprint
// or a tear might, flip 37 modules, and the code still decodes.
func TestPNGSmudged(t *testing.T) {
	c := mustEncode(t, typicalURL)
	p, err := c.PNG(0)
	if err != nil {
		t.Fatal(err)
	}
	src, err := png.Decode(bytes.NewReader(p))
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(src.Bounds())
	draw.Draw(img, img.Bounds(), src, image.Point{}, draw.Src)
	s := DefaultScale
	flipped := 0
	for _, blot := range []struct {
		x, y int
		col  color.Gray
	}{{14, 18, color.Gray{Y: 0}}, {24, 12, color.Gray{Y: 0xff}}} {
		for y := blot.y; y < blot.y+6; y++ {
			for x := blot.x; x < blot.x+6; x++ {
				if c.Dark(x, y) != (blot.col.Y == 0) {
					flipped++
				}
			}
		}
		r := image.Rect((blot.x+QuietZone)*s, (blot.y+QuietZone)*s, (blot.x+QuietZone+6)*s, (blot.y+QuietZone+6)*s)
		draw.Draw(img, r, image.NewUniform(blot.col), image.Point{}, draw.Src)
	}
	// At level L (version 3) this same damage, 33 modules, does not decode.
	if flipped < 30 {
		t.Fatalf("the blots flip only %d modules; the test would prove little", flipped)
	}
	if text, _ := decodeImage(t, img); text != typicalURL {
		t.Fatalf("decoded %q, want %q", text, typicalURL)
	}
}

// TestLengthsDecode checks the library across versions: text of many
// lengths up to MaxTextLen encodes and decodes back.
func TestLengthsDecode(t *testing.T) {
	alphabet := "https://satchel.example.org/s/ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_?=&%"
	var sb strings.Builder
	for sb.Len() < MaxTextLen {
		sb.WriteString(alphabet)
	}
	all := sb.String()[:MaxTextLen]
	lengths := []int{1, 2, 17, 25, 32, 46, 47, 60, 61, 100, 150, 200, 300, 400, MaxTextLen}
	if testing.Short() {
		lengths = []int{1, 60, MaxTextLen}
	}
	for _, n := range lengths {
		text := all[:n]
		c := mustEncode(t, text)
		p, err := c.PNG(2)
		if err != nil {
			t.Fatal(err)
		}
		got, level := decodePNG(t, p)
		if got != text || level != "Q" {
			t.Errorf("%d bytes (version %d): decoded %q at level %q", n, c.Version(), got, level)
		}
	}
}

func TestEncodeRefuses(t *testing.T) {
	if _, err := Encode(strings.Repeat("a", MaxTextLen)); err != nil {
		t.Fatalf("Encode of %d bytes: %v", MaxTextLen, err)
	}
	c, err := Encode(strings.Repeat("a", MaxTextLen+1))
	if !errors.Is(err, ErrTooLong) || c != nil {
		t.Fatalf("Encode of %d bytes: %v, %v; want ErrTooLong", MaxTextLen+1, c, err)
	}
	if err.Error() != "qr: text longer than 512 bytes" {
		t.Errorf("error text %q", err)
	}
	if _, err := Encode(""); !errors.Is(err, ErrEmpty) {
		t.Fatalf("Encode of empty text: %v; want ErrEmpty", err)
	}
	if _, err := mustEncode(t, typicalURL).PNG(MaxScale + 1); err == nil {
		t.Fatal("PNG accepted a scale over MaxScale")
	}
	if _, err := encode("x", Level(9)); err == nil {
		t.Fatal("encode accepted an unknown level")
	}
}

func TestLevelString(t *testing.T) {
	for l, want := range map[Level]string{LevelL: "L", LevelM: "M", LevelQ: "Q", LevelH: "H", Level(7): "Level(7)"} {
		if l.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(l), l.String(), want)
		}
	}
}

// svgDoc is what the tests read back from an SVG.
type svgDoc struct {
	attrs  map[string]string
	title  string
	rects  int
	paths  []map[string]string
	others []string
}

// parseSVG reads the SVG with encoding/xml, failing on malformed XML.
func parseSVG(t *testing.T, data []byte) svgDoc {
	t.Helper()
	var doc svgDoc
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var stack []string
	depth0 := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, data)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				attrs[a.Name.Local] = a.Value
			}
			switch {
			case len(stack) == 0:
				depth0++
				if tok.Name.Local != "svg" || tok.Name.Space != "http://www.w3.org/2000/svg" {
					t.Fatalf("root element %v", tok.Name)
				}
				doc.attrs = attrs
			case tok.Name.Local == "rect":
				doc.rects++
			case tok.Name.Local == "path":
				doc.paths = append(doc.paths, attrs)
			case tok.Name.Local != "title":
				doc.others = append(doc.others, tok.Name.Local)
			}
			stack = append(stack, tok.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 2 && stack[1] == "title" {
				doc.title += string(tok)
			}
		}
	}
	if depth0 != 1 {
		t.Fatalf("%d root elements", depth0)
	}
	return doc
}

// rasterize draws an SVG path made of "M x y h n v1 h-n z" runs back into a
// module grid of side n.
func rasterize(t *testing.T, d string, n int) []bool {
	t.Helper()
	grid := make([]bool, n*n)
	for _, sub := range strings.Split(strings.TrimSuffix(d, "z"), "z") {
		var x, y, run, back int
		if _, err := fmt.Sscanf(sub, "M%d %dh%dv1h-%d", &x, &y, &run, &back); err != nil || run != back || run < 1 {
			t.Fatalf("unexpected path segment %q: %v", sub, err)
		}
		for i := x; i < x+run; i++ {
			grid[y*n+i] = true
		}
	}
	return grid
}

func TestSVG(t *testing.T) {
	c := mustEncode(t, typicalURL)
	const title = `Share link for Jo's <landlord> & "agent"` + "\x01"
	data := c.SVGTitled(title)
	doc := parseSVG(t, data)

	n := c.Size() + 2*QuietZone
	px := strconv.Itoa(n * DefaultScale)
	if got, want := doc.attrs["viewBox"], fmt.Sprintf("0 0 %d %d", n, n); got != want {
		t.Errorf("viewBox %q, want %q", got, want)
	}
	if doc.attrs["width"] != px || doc.attrs["height"] != px {
		t.Errorf("width×height %s×%s, want %s×%s", doc.attrs["width"], doc.attrs["height"], px, px)
	}
	if doc.attrs["role"] != "img" {
		t.Errorf("role %q, want img", doc.attrs["role"])
	}
	// The control character is not allowed in XML and becomes U+FFFD.
	if want := strings.TrimSuffix(title, "\x01") + "\uFFFD"; doc.title != want {
		t.Errorf("title %q, want %q", doc.title, want)
	}
	if bytes.Contains(data, []byte("<landlord>")) || !bytes.Contains(data, []byte("&lt;landlord&gt; &amp; ")) {
		t.Errorf("title not escaped:\n%s", data)
	}
	if doc.rects != 1 || len(doc.paths) != 1 || len(doc.others) != 0 {
		t.Fatalf("%d rects, %d paths, others %v; want one white rect and one path", doc.rects, len(doc.paths), doc.others)
	}
	path := doc.paths[0]
	if path["shape-rendering"] != "crispEdges" || path["fill"] != "#000" {
		t.Errorf("path attributes %v", path)
	}
	grid := rasterize(t, path["d"], n)
	for y := -QuietZone; y < c.Size()+QuietZone; y++ {
		for x := -QuietZone; x < c.Size()+QuietZone; x++ {
			if got := grid[(y+QuietZone)*n+x+QuietZone]; got != c.Dark(x, y) {
				t.Fatalf("SVG module (%d,%d) dark=%v, code says %v", x, y, got, c.Dark(x, y))
			}
		}
	}
	t.Logf("SVG of %s: %d bytes", typicalURL, len(data))

	if def := parseSVG(t, c.SVG()); def.title != DefaultTitle {
		t.Errorf("SVG() title %q, want %q", def.title, DefaultTitle)
	}
}

// TestConcurrentUse renders one Code from several goroutines; run with -race.
func TestConcurrentUse(t *testing.T) {
	c := mustEncode(t, typicalURL)
	want, err := c.PNG(2)
	if err != nil {
		t.Fatal(err)
	}
	wantSVG := c.SVG()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Go(func() {
			p, err := c.PNG(2)
			if err != nil || !bytes.Equal(p, want) {
				t.Errorf("PNG differs under concurrency: %v", err)
			}
			if !bytes.Equal(c.SVG(), wantSVG) {
				t.Error("SVG differs under concurrency")
			}
		})
	}
	wg.Wait()
}

func BenchmarkEncodePNG(b *testing.B) {
	for b.Loop() {
		c, err := Encode(typicalURL)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.PNG(0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeSVG(b *testing.B) {
	for b.Loop() {
		c, err := Encode(typicalURL)
		if err != nil {
			b.Fatal(err)
		}
		_ = c.SVG()
	}
}

func ExampleEncode() {
	c, err := Encode("https://satchel.example.org/s/AAECAwQFBgcICQoLDA0ODw")
	if err != nil {
		panic(err)
	}
	png, err := c.PNG(0) // DefaultScale: 8 pixels a module
	if err != nil {
		panic(err)
	}
	_ = png
	fmt.Printf("version %d, level %v, %d modules a side\n", c.Version(), c.Level(), c.Size())
	// Output: version 5, level Q, 37 modules a side
}
