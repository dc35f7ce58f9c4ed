package pod

// DocumentTypes are the document types DetectDocument recognises.
var DocumentTypes = []string{"application/pdf", "image/jpeg", "image/png", "image/heic", "image/heif"}

// DetectDocument names the type of a document (a PDF or a photo) from its
// first bytes (16 are enough), or "" if it is none Satchel stores.
func DetectDocument(head []byte) string {
	for _, mt := range DocumentTypes {
		if contentMatches(mt, head) {
			return mt
		}
	}
	return ""
}
