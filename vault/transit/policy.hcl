# The Vault policy that Satchel's token needs, and no more: print it with
# "satchel keys policy" and load it with
#
#   satchel keys policy | vault policy write satchel -
#   vault token create -policy=satchel -period=24h
#
# Vault applies only the most specific rule that matches a path (an exact
# path beats a glob; of two globs the longer prefix wins); a narrower rule
# replaces a broader one rather than adding to it. So every rule below lists
# all that its keys need, "update" included.
#
# Vault's "default" policy, which every token holds unless it was made
# without it, lets the token look itself up and renew itself: Satchel's
# health check does both.

# Create keys (a write to keys/NAME), configure, rotate.
path "transit/keys/satchel-*" {
  capabilities = ["update"]
}

# Signing keys: also read them, to learn the versions an operator rotated.
path "transit/keys/satchel-signing-*" {
  capabilities = ["read", "update"]
}

# Pod keys: also delete them, which crypto-shreds a pod.
path "transit/keys/satchel-pod-*" {
  capabilities = ["update", "delete"]
}

# Wrap a pod's key. A standby that has not yet seen a key just made judges
# the write a "create".
path "transit/encrypt/satchel-pod-*" {
  capabilities = ["create", "update"]
}

path "transit/decrypt/satchel-pod-*" {
  capabilities = ["update"]
}

path "transit/rewrap/satchel-pod-*" {
  capabilities = ["update"]
}

path "transit/sign/satchel-signing-*" {
  capabilities = ["update"]
}
