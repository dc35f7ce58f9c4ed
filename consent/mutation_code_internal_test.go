package consent

import "testing"

// TestShareCodeDerivationIsStable: a share code is derived from its
// token, never stored, and its entry is found by the code; a code handed
// out by an earlier version keeps working only if the derivation never
// changes. These tokens include ones whose hashes hold bytes the
// derivation must skip (232 and above), so that the skipping stays as it
// was too.
func TestShareCodeDerivationIsStable(t *testing.T) {
	t.Parallel()
	for token, want := range map[string]string{
		"AAAAAAAAAAAAAAAAAAAAAA": "2ENMDEEGG",
		"0000000000000000000016": "BCY7MXSZZ", // skips two bytes above 232
		"0000000000000000000093": "XPBYZK2RW", // skips a 232
		"0000000000000000000121": "CQN2NNPHF", // skips a 232
	} {
		if got := codeOf(token); got != want {
			t.Errorf("the code of %s is %s, was %s", token, got, want)
		}
	}
}
