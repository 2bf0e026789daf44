# shellcheck shell=bash
# The images the run builds carry the names the kustomizations give them, so the Deployments
# Argo CD applies find them in kind (imagePullPolicy IfNotPresent) without any registry.

# kustomization_image FILE: newName:newTag of the one image a kustomization sets.
kustomization_image() {
  local name tag
  name="$(sed -n 's/^ *newName: *//p' "$1")"
  tag="$(sed -n 's/^ *newTag: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$1")"
  [[ -n "${name}" && -n "${tag}" && "${name}" != *$'\n'* && "${tag}" != *$'\n'* ]] ||
    die "$1: expected one images entry with newName and newTag"
  printf '%s:%s\n' "${name}" "${tag}"
}
