/** Types of tasks.mjs, the example's worker module (kept in step by hand: four lines). */
export declare function hash(payload: { text: string; rounds: number }): string
export declare function spin(ms: number): number
