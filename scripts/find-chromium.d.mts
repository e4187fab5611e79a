/** Path of a Chromium/Chrome for tests; with `install` it may apt-get Debian's `chromium` (see find-chromium.mjs). */
export function findChromium(options?: { install?: boolean }): string;
