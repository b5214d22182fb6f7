/** Where model files come from: Hugging Face (or a mirror) over HTTP, or packages through npm. */
export const MODEL_SOURCES = ['huggingface', 'npm'] as const;
export type ModelSource = (typeof MODEL_SOURCES)[number];
