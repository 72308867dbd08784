// The JSON API's answer schemas, gathered for the contract (routes/api/contract.ts) and OpenAPI.
export * from './base';
export * from './catalog';
export * from './versions';
export * from './management';
export * from './exchange';
