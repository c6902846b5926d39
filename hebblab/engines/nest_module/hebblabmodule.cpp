// hebblab's NEST extension module: nest.Install("hebblabmodule") registers
//   stdp_transmit_first_synapse          pair STDP, all-to-all, transmit then depress
//   stdp_nn_symm_transmit_first_synapse  the same with nearest (symmetric) pairing
// Built and installed by `python -m hebblab.engines.nest_module`.

// NEST's headers ask for Boost where NEST was built with it, but a NEST wheel ships no
// Boost headers. Boost only picks NEST's sort algorithm and pretty type names for error
// messages (no data layout depends on it), so without its headers build without it.
#include "config.h"
#if defined( HAVE_BOOST ) && !__has_include( <boost/type_index.hpp> )
#undef HAVE_BOOST
#endif

#include "nest_extension_interface.h"
#include "stdp_transmit_first_synapse.h"

namespace hebblab
{
class HebblabModule : public nest::NESTExtensionInterface
{
public:
  void
  initialize() override
  {
    nest::register_connection_model< stdp_transmit_first_synapse >( "stdp_transmit_first_synapse" );
    nest::register_connection_model< stdp_nn_symm_transmit_first_synapse >( "stdp_nn_symm_transmit_first_synapse" );
  }
};
}  // namespace hebblab

// NEST looks the module up by this name (libltdl: <library name>_LTX_module)
hebblab::HebblabModule hebblabmodule_LTX_module;
