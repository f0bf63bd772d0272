// TrustHub policy SIDs of the A2P paths (FACTS §5). Policy SIDs are global constants, not per account.
export const POLICY_SECONDARY_PROFILE = 'RNdfbf3fae0e1107f8aded0e7cead80bf5';
export const POLICY_A2P_MESSAGING_PROFILE = 'RNb0d4771c2c98518d916a3d4cd70a8f8b';
export const POLICY_STARTER_PROFILE = 'RN806dd6cd175f314e1f96a9727ee271f4';
export const POLICY_SOLE_PROPRIETOR_TRUST_PRODUCT = 'RN670d5d2e282a6130ae063b234b6019c8';
