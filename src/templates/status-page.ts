/** The status-page text sent to the `statusPage` webhook: resolved, or the Skillancer "investigating" line. */
export const STATUS_PAGE = '{incident_status}';
