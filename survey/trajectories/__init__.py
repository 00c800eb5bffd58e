"""Support trajectories of the Agentschap Integratie en Inburgering and the Huis van het
Nederlands Brussel: the catalogue (a data file), its trigger rules and the suggestions made
from an assessment's result (DESIGN §2, §6, §9)."""
