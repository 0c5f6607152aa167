import { SegmentTree } from '../../../src/index.js'
import { describeMatcher } from './matcher-suite.js'

describeMatcher('SegmentTree', () => new SegmentTree<string>())
