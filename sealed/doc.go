// Package sealed is the layer every stored byte passes through: it keeps
// each space (a leaver's pod, or one of the server's own stores) under its
// own age X25519 identity, wrapped by the key custodian, and turns names
// into opaque object names with an HMAC under that identity. An object is an
// age file holding a small header and a body; storage (package blob) sees
// only ciphertext under names that reveal nothing a person typed.
//
// Pods (package pod) and the server's state documents (package state) are
// built on it.
package sealed
