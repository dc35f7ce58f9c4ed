// Package sealed is the layer every stored byte passes through: it keeps
// each space (a leaver's pod, or one of the server's own stores) under its
// own age X25519 identity, wrapped by the key custodian, and turns names
// into opaque object names with an HMAC under that identity. An object is an
// age file holding a small header and a body; storage (package blob) sees
// only ciphertext under names that reveal nothing a person typed.
//
// Objects are standard age files (the age command opens them with the
// space's identity), though sealed writes the X25519 stanza itself, with a
// faster fixed-base multiplication for its ephemeral key (recipient.go).
// While a space's keys are in memory they remember the file key of each
// stanza and the payload key of each small object opened (filekeys.go), so
// reading the same stored bytes again costs one AEAD open; any changed byte
// takes the full path through age.
//
// Pods (package pod) and the server's state documents (package state) are
// built on it.
package sealed
