/** Revisions, tags and ARNs as typed after `to`: letters, digits and `.:/_@+-`, nothing a shell or path could misuse. */
export const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$/;
