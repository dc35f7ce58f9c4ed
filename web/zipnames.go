package web

import (
	"path"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// zipNames names the entries of a download so that no extractor, on
// Windows, macOS or Unix, writes outside the folder it unpacks into,
// refuses a name, opens a device or an alternate data stream, or lets one
// file overwrite another. A pod path's names can hold almost anything
// (only "/", "\", "." and ".." as a whole name, and control characters, are
// refused), so each name is made safe: characters Windows does not allow
// in names (`<>:"|?*`, control and invisible formatting characters) become
// "_", trailing dots and spaces go, a device name (CON, NUL.txt, COM1…)
// gets a "_" before it, and a name already used in its folder, compared as
// Windows and macOS compare (ignoring case and Unicode normalisation), gets
// " (2)", " (3)"… before its extension. Every file of one pod folder stays
// in the same zip folder.
type zipNames struct {
	dirs  map[string]string // pod container (no trailing "/") → zip folder ("" or ending "/")
	taken map[string]bool   // fold(name) of every file and folder in the zip
}

func newZipNames(reserved ...string) *zipNames {
	z := &zipNames{dirs: map[string]string{"": ""}, taken: map[string]bool{}}
	for _, n := range reserved {
		z.taken[fold(n)] = true
	}
	return z
}

// name returns the entry name for the pod resource at p.
func (z *zipNames) name(p string) string {
	dir, base := splitLast(strings.Trim(p, "/"))
	return z.unique(z.dir(dir), safeName(base))
}

// dir returns the zip folder for pod container d.
func (z *zipNames) dir(d string) string {
	if n, ok := z.dirs[d]; ok {
		return n
	}
	parent, base := splitLast(d)
	n := z.unique(z.dir(parent), safeName(base)) + "/"
	z.dirs[d] = n
	return n
}

// unique returns folder+name, numbered if that is already taken, and takes
// it.
func (z *zipNames) unique(folder, name string) string {
	n := folder + name
	for i := 2; z.taken[fold(n)]; i++ {
		ext := path.Ext(name)
		if ext == name {
			ext = ""
		}
		n = folder + strings.TrimSuffix(name, ext) + " (" + strconv.Itoa(i) + ")" + ext
	}
	z.taken[fold(n)] = true
	return n
}

func splitLast(p string) (dir, base string) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}

// fold is how a case-insensitive file system compares names.
func fold(s string) string { return strings.ToLower(norm.NFC.String(s)) }

// safeName makes one name safe on every file system (see zipNames).
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20, r == 0x7f, unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == unicode.ReplacementChar:
			return '_'
		case strings.ContainsRune(`<>:"/\|?*`, r):
			return '_'
		}
		return r
	}, s)
	// Windows drops trailing dots and spaces, so "a." would be "a" and
	// ".." would be the parent.
	s = strings.TrimRight(s, ". ")
	if s == "" {
		return "_"
	}
	if isDeviceName(s) {
		s = "_" + s
	}
	return s
}

// isDeviceName reports whether Windows takes name for a device: CON, PRN,
// AUX, NUL, COM0–9, LPT0–9 (also with a superscript digit), CONIN$ and
// CONOUT$, whatever the case, and whatever follows a first dot.
func isDeviceName(name string) bool {
	stem, _, _ := strings.Cut(name, ".")
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(stem) > 3 && (strings.HasPrefix(stem, "COM") || strings.HasPrefix(stem, "LPT")) {
		switch stem[3:] {
		case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
			return true
		}
	}
	return false
}
