/** Written into every bundle; bump with package.json. */
export const VERSION = '0.1.0';
