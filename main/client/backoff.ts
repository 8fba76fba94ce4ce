// The one backoff lives in common/ (the customer chat page uses it too); the client core imports it from here.
export * from '../../common/backoff';
