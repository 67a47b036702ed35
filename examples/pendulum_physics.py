"""Physics with derivatives: a pendulum's equations of motion from its Lagrangian.

The accelerations come from the Euler-Lagrange equations, using jax.hessian and
jax.jacfwd of the Lagrangian L(q, qdot); a Runge-Kutta integrator written with
lax.scan then conserves the energy.

    python examples/pendulum_physics.py
"""
import numpy as np

import pyjax as jax
import pyjax.numpy as jnp
from pyjax import lax

G, LENGTH, MASS = 9.81, 1.0, 1.0


def lagrangian(q, qdot):
    kinetic = 0.5 * MASS * LENGTH ** 2 * jnp.sum(qdot ** 2)
    potential = -MASS * G * LENGTH * jnp.sum(jnp.cos(q))
    return kinetic - potential


def energy(q, qdot):
    return 0.5 * MASS * LENGTH ** 2 * jnp.sum(qdot ** 2) - MASS * G * LENGTH * jnp.sum(jnp.cos(q))


def acceleration(q, qdot):
    """Euler-Lagrange: (d2L/dqdot2) qddot = dL/dq - (d2L/dqdot dq) qdot."""
    mass_matrix = jax.hessian(lagrangian, argnums=1)(q, qdot)
    dl_dq = jax.grad(lagrangian, argnums=0)(q, qdot)
    mixed = jax.jacfwd(jax.grad(lagrangian, argnums=1), argnums=0)(q, qdot)
    return (dl_dq - mixed @ qdot) / jnp.diagonal(mass_matrix)


def rk4_step(state, dt):
    def f(s):
        q, qdot = s
        return qdot, acceleration(q, qdot)

    def add(s, k, h):
        return s[0] + h * k[0], s[1] + h * k[1]

    k1 = f(state)
    k2 = f(add(state, k1, dt / 2))
    k3 = f(add(state, k2, dt / 2))
    k4 = f(add(state, k3, dt))
    q = state[0] + dt / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
    qdot = state[1] + dt / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
    return q, qdot


@jax.jit
def simulate(q0, qdot0, dt=0.01, steps=500):
    def body(state, _):
        state = rk4_step(state, dt)
        return state, energy(*state)
    final, energies = lax.scan(body, (q0, qdot0), None, length=steps)
    return final, energies


def main():
    q0, qdot0 = jnp.array([1.0]), jnp.array([0.0])
    analytic = -G * jnp.sin(q0)
    print(f"acceleration from the Lagrangian {float(acceleration(q0, qdot0)[0]):.5f}, "
          f"analytic -g sin(q) {float(analytic[0]):.5f}")
    (q, qdot), energies = simulate(q0, qdot0)
    drift = float(jnp.max(jnp.abs(energies - energy(q0, qdot0))))
    print(f"after 5 s: angle {float(q[0]):.4f} rad; largest energy drift {drift:.2e}")
    return {"accel_error": abs(float(acceleration(q0, qdot0)[0] - analytic[0])), "energy_drift": drift}


if __name__ == "__main__":
    main()
