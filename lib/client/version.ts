/**
 * The package version, for the User-Agent header. A constant rather than an import of package.json so
 * that the handler bundle and the `dist/` build need no JSON file at run time; a unit test
 * (test/client/config.test.ts) fails when it drifts from package.json.
 */
export const PACKAGE_NAME = 'cdktf-ionos-registry-token';
export const PACKAGE_VERSION = '0.5.0';

/** `cdktf-ionos-registry-token/<version>`. */
export const DEFAULT_USER_AGENT = `${PACKAGE_NAME}/${PACKAGE_VERSION}`;
