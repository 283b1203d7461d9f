//! Swarm testing: a different fault mix per seed, drawn from the environment stream.
