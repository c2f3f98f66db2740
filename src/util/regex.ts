// Regex text shared by the stages that write RE2 patterns into Envoy config and the engine door.

/** Go's regexp.QuoteMeta: the text as a pattern that matches exactly it (valid in RE2 and JavaScript). */
export const quoteMeta = (text: string): string => text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
