/** The kit's version, stamped into every built index.js and printed by check:function. Kept equal to package.json's. */
export const KIT_VERSION = "0.5.0";
