/** Validators, conditional GET and byte ranges: moved to src/files/conditional.ts, shared with `download`. */
export { fileEtag, isFresh, parseRange, rangeApplies, type ByteRange } from '../../files/conditional.js'
