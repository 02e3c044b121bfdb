/* Merging profiles: one profile from several inputs (pconv, plines, --merge).
 *
 * Everything of src is added into dst by identity: functions by (name, file,
 * line), edges by their ends, tree nodes by their path, lines by (function,
 * line). Metrics are matched by name; a metric dst lacks is added while there
 * is room, otherwise it is dropped. Values are already in the model's units
 * (time in ns), so sources with different timer units merge exactly.
 */
#ifndef PK_MERGE_H
#define PK_MERGE_H

#include "error.h"
#include "profile.h"

/* Add src into dst. -1 with err set when a metric has the same name but a
 * different unit in both (nothing is changed then). */
int pk_profile_merge(pk_profile *dst, const pk_profile *src, pk_error *err);

#endif
