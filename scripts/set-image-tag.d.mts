/** Returns `text` (a kustomization.yaml) with newTag of the `images:` entry for `image` set to `tag`. */
export function setImageTag(text: string, image: string, tag: string): string;

/** Returns the newTag of the `images:` entry for `image` in `text`, or undefined when it has none. */
export function getImageTag(text: string, image: string): string | undefined;
