// Pair STDP that transmits an input spike with the weight it has BEFORE the spike's
// depression: hebblab's order, and that of Song, Miller & Abbott (2000). NEST's own
// stdp_synapse and stdp_nn_symm_synapse depress first and then transmit.
//
// Everything else is NEST's pair rule with its parameters (tau_plus, lambda, alpha,
// mu_plus, mu_minus, Wmax; tau_minus belongs to the target cell):
//   LTP  w/Wmax += lambda * (1 - w/Wmax)^mu_plus * K_plus    at each output spike, applied
//        lazily at the next input spike (NEST keeps the output spikes in the cell's history)
//   LTD  w/Wmax -= alpha * lambda * (w/Wmax)^mu_minus * K_minus    at each input spike
// all-to-all: K_plus jumps by 1 at an input spike, K_minus is the cell's trace;
// nearest (Nearest = true, like stdp_nn_symm_synapse): each spike meets only the other
// side's last spike (K_plus and K_minus are reset to 1 instead of incremented; as in NEST,
// output spikes before a synapse's first input pair with a "last input" at t = 0).

#ifndef HEBBLAB_STDP_TRANSMIT_FIRST_SYNAPSE_H
#define HEBBLAB_STDP_TRANSMIT_FIRST_SYNAPSE_H

#include <cmath>
#include <deque>

#include "common_synapse_properties.h"
#include "connection.h"
#include "connector_model.h"
#include "event.h"
#include "kernel_manager.h"
#include "nest_names.h"

namespace hebblab
{

template < typename targetidentifierT, bool Nearest >
class PairStdpTransmitFirst : public nest::Connection< targetidentifierT >
{
public:
  typedef nest::CommonSynapseProperties CommonPropertiesType;
  typedef nest::Connection< targetidentifierT > ConnectionBase;

  // the same capabilities as NEST's stdp_synapse
  static constexpr nest::ConnectionModelProperties properties = nest::ConnectionModelProperties::HAS_DELAY
    | nest::ConnectionModelProperties::IS_PRIMARY | nest::ConnectionModelProperties::SUPPORTS_HPC
    | nest::ConnectionModelProperties::SUPPORTS_LBL;

  using ConnectionBase::get_delay;
  using ConnectionBase::get_delay_steps;
  using ConnectionBase::get_rport;
  using ConnectionBase::get_target;

  // a connection only ever carries spikes: refuse any other event at Connect time
  class ConnTestDummyNode : public nest::ConnTestDummyNodeBase
  {
  public:
    using nest::ConnTestDummyNodeBase::handles_test_event;
    size_t
    handles_test_event( nest::SpikeEvent&, size_t ) override
    {
      return nest::invalid_port;
    }
  };

  void
  check_connection( nest::Node& s, nest::Node& t, size_t receptor_type, const CommonPropertiesType& )
  {
    ConnTestDummyNode dummy_target;
    ConnectionBase::check_connection_( dummy_target, s, t, receptor_type );
    // the target keeps its spike history (and K_minus) for this synapse
    t.register_stdp_connection( t_lastspike_ - get_delay(), get_delay() );
  }

  bool
  send( nest::Event& e, size_t tid, const CommonPropertiesType& )
  {
    const double t_spike = e.get_stamp().get_ms();
    nest::Node* target = get_target( tid );
    const double delay = get_delay();  // dendritic: the output spike reaches the synapse late by it

    // lazy LTP: the output spikes since the last input spike, each meeting K_plus
    std::deque< nest::histentry >::iterator start, finish;
    target->get_history( t_lastspike_ - delay, t_spike - delay, &start, &finish );
    for ( ; start != finish; ++start )
    {
      const double decay = std::exp( ( t_lastspike_ - ( start->t_ + delay ) ) / tau_plus_ );
      weight_ = facilitate_( weight_, Nearest ? decay : Kplus_ * decay );
    }

    // transmit first, with the weight as it is before this spike's depression
    e.set_receiver( *target );
    e.set_weight( weight_ );
    e.set_delay_steps( get_delay_steps() );
    e.set_rport( get_rport() );
    e();

    // then LTD: this input spike meets the output's trace
    double K_minus = 0.0;
    if ( Nearest )
    {
      double unused;
      target->get_K_values( t_spike - delay, unused, K_minus, unused );
    }
    else
    {
      K_minus = target->get_K_value( t_spike - delay );
    }
    weight_ = depress_( weight_, K_minus );

    Kplus_ = Nearest ? 1.0 : Kplus_ * std::exp( ( t_lastspike_ - t_spike ) / tau_plus_ ) + 1.0;
    t_lastspike_ = t_spike;
    return true;
  }

  void
  get_status( Dictionary& d ) const
  {
    ConnectionBase::get_status( d );
    d[ nest::names::weight ] = weight_;
    d[ nest::names::tau_plus ] = tau_plus_;
    d[ nest::names::lambda ] = lambda_;
    d[ nest::names::alpha ] = alpha_;
    d[ nest::names::mu_plus ] = mu_plus_;
    d[ nest::names::mu_minus ] = mu_minus_;
    d[ nest::names::Wmax ] = Wmax_;
    d[ nest::names::Kplus ] = Kplus_;
    d[ nest::names::size_of ] = static_cast< long >( sizeof( *this ) );
  }

  void
  set_status( const Dictionary& d, nest::ConnectorModel& cm )
  {
    ConnectionBase::set_status( d, cm );
    d.update_value( nest::names::weight, weight_ );
    d.update_value( nest::names::tau_plus, tau_plus_ );
    d.update_value( nest::names::lambda, lambda_ );
    d.update_value( nest::names::alpha, alpha_ );
    d.update_value( nest::names::mu_plus, mu_plus_ );
    d.update_value( nest::names::mu_minus, mu_minus_ );
    d.update_value( nest::names::Wmax, Wmax_ );
    d.update_value( nest::names::Kplus, Kplus_ );
    if ( ( weight_ < 0 ) != ( Wmax_ < 0 ) )
    {
      throw nest::BadProperty( "Weight and Wmax must have the same sign." );
    }
    if ( Kplus_ < 0 )
    {
      throw nest::BadProperty( "Kplus must be non-negative." );
    }
  }

  void
  set_weight( double w )
  {
    weight_ = w;
  }

private:
  // NEST's soft bounds (mu = 1, multiplicative) or hard bounds (mu = 0, additive) at [0, Wmax]
  double
  facilitate_( double w, double K_plus ) const
  {
    const double x = w / Wmax_ + lambda_ * std::pow( 1.0 - w / Wmax_, mu_plus_ ) * K_plus;
    return x < 1.0 ? x * Wmax_ : Wmax_;
  }

  double
  depress_( double w, double K_minus ) const
  {
    const double x = w / Wmax_ - alpha_ * lambda_ * std::pow( w / Wmax_, mu_minus_ ) * K_minus;
    return x > 0.0 ? x * Wmax_ : 0.0;
  }

  // NEST's defaults for stdp_synapse
  double weight_ = 1.0;
  double tau_plus_ = 20.0;
  double lambda_ = 0.01;
  double alpha_ = 1.0;
  double mu_plus_ = 1.0;
  double mu_minus_ = 1.0;
  double Wmax_ = 100.0;
  double Kplus_ = 0.0;
  double t_lastspike_ = 0.0;
};

template < typename targetidentifierT, bool Nearest >
constexpr nest::ConnectionModelProperties PairStdpTransmitFirst< targetidentifierT, Nearest >::properties;

// NEST registers a synapse model as a template over its target identifier
template < typename targetidentifierT >
using stdp_transmit_first_synapse = PairStdpTransmitFirst< targetidentifierT, false >;

template < typename targetidentifierT >
using stdp_nn_symm_transmit_first_synapse = PairStdpTransmitFirst< targetidentifierT, true >;

}  // namespace hebblab

#endif
