/** Returns `text` (a kustomization.yaml) with newTag of the `images:` entry for `image` set to `tag`. */
export function setImageTag(text: string, image: string, tag: string): string;
