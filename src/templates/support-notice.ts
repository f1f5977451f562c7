/** The Skillancer checklist's "Notify Support team to pause customer responses", posted to `supportChannel` when a rollback starts. */
export const SUPPORT_NOTICE = `:double_vertical_bar: *Please pause customer responses about {product}*: rollback {rollback_id} of {service} {environment} is under way (requested at {started_at}: {brief_reason}).
Hold replies on related tickets until the war room says it is resolved; the status page will say so too.`;
