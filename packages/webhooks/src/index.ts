export {
  type AgentProfile,
  type Alert,
  type AlertPayload,
  alertIdFor,
  buildFindingAlert,
  buildSystemAlert,
  buildTestAlert,
  fitPayload,
  MAX_PAYLOAD_BYTES,
  type OutboxEntry,
  UNKNOWN_PROFILE,
} from './alert.js';
export { buildCorrectionAlert, isCorrectionOutcome } from './correction-alert.js';
export { buildIncidentAlert, isIncidentEffect } from './incident-alert.js';
export {
  ALERT_SEVERITIES,
  ALERT_TYPE_DESCRIPTIONS,
  ALERT_TYPES,
  type AlertSeverity,
  type AlertType,
  isAlertType,
  severityRank,
} from './catalogue.js';
export { buildDeclarationAlert, buildOutboxAlert } from './declaration-alert.js';
export {
  type AttemptLogEntry,
  type ClaimedDelivery,
  createDeliveryQueue,
  type DeadLetter,
  type DeliveryQueue,
  type DeliveryQueueOptions,
  type DeliveryRecord,
} from './deliveries.js';
export {
  UrlRefusedError,
  WebhookCorruptDataError,
  WebhookError,
  type WebhookErrorCode,
  WebhookInputError,
  WebhookNotFoundError,
} from './errors.js';
export { createWebhookKeys, SYSTEM_LANE, type WebhookKeys } from './keys.js';
export { subscriptionMatches } from './matching.js';
export { generateSecret, isValidSecret, SECRET_BYTES } from './secrets.js';
export { type SignatureHeaders, signDelivery } from './signing.js';
export {
  type CheckedTarget,
  hostOf,
  type LookupAll,
  parseCidrs,
  parseTrustedHosts,
  refusalReason,
  resolveTarget,
  type SsrfPolicy,
  validateWebhookUrl,
} from './ssrf.js';
export {
  type CreateSubscriptionInput,
  createSubscriptionStore,
  DEFAULT_ROTATION_OVERLAP_MS,
  publicView,
  signingSecrets,
  type Subscription,
  type SubscriptionFilters,
  type SubscriptionRecord,
  type SubscriptionStore,
  type SubscriptionStoreOptions,
  type UpdateSubscriptionInput,
} from './subscriptions.js';
