export { OnnxSession, type Feed, type InputInfo, type OnnxSessionOptions, type RunStats } from './session.js';
