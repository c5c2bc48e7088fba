#pragma once
// A fixture of the layer check (scripts/check-layers): the domain may not include the service
// layer, so `scripts/check-layers --root tests/layers/upward` must fail (ctest: layers_refuse_upward).
#include "service/audit/call_context.hpp"
