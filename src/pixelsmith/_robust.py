"""Robust statistics constants shared by the noise estimates (peaks, page layout, strip cuts)."""

# Normal consistency constant of the MAD: sigma = 1.4826 * MAD for Gaussian noise (1 / Phi^-1(3/4))
MAD_TO_SIGMA = 1.482602218505602
