/** The DistroCV runbook's "User Notification (if needed)", posted to `userChannel` on request. */
export const USER_NOTIFICATION = `Subject: Service Update - {product}

Dear User,

We experienced a brief service interruption. All systems are now operational.

We apologize for any inconvenience.

- {product} Team`;
